import ModelFormats

/// Maps an ONNX graph onto the IR: initializers and `Constant` nodes become constants, attributes are
/// parsed and checked, and any operator without an implementation is reported with its node.
public enum ONNXImporter {
    public static func importGraph(_ model: ONNXModel) throws -> Graph {
        var g = Graph()
        for t in model.graph.initializers { g.constants[t.name] = GraphTensor(shape: t.dims, data: t.floatValues()) }
        let constantNames = Set(g.constants.keys)
        g.inputs = model.graph.inputs.map(\.name).filter { !constantNames.contains($0) }
        g.outputs = model.graph.outputs.map(\.name)
        for n in model.graph.nodes {
            let name = n.name.isEmpty ? (n.outputs.first ?? n.opType) : n.name
            func ints(_ key: String) -> [Int]? { n.attributes[key]?.ints?.map { Int($0) } }
            func float(_ key: String, _ value: Float) -> Float { n.attributes[key]?.float ?? value }
            func conv() throws -> Operator.ConvAttributes {
                var a = Operator.ConvAttributes()
                a.kernel = ints("kernel_shape") ?? []
                a.strides = ints("strides") ?? [1, 1]
                if let p = ints("pads") {
                    guard p.count == 4 else { throw GraphRuntimeError.invalidAttribute(op: n.opType, node: name, reason: "pads \(p) (2-D only)") }
                    a.pads = [p[0], p[1], p[2], p[3]]
                }
                a.group = Int(n.attributes["group"]?.int ?? 1)
                a.autoPad = n.attributes["auto_pad"]?.string ?? "NOTSET"
                a.outputPadding = ints("output_padding") ?? [0, 0]
                if let d = ints("dilations"), d.contains(where: { $0 != 1 }) {
                    throw GraphRuntimeError.invalidAttribute(op: n.opType, node: name, reason: "dilations \(d) are not supported")
                }
                guard a.strides.count == 2, a.strides.allSatisfy({ $0 >= 1 }), a.group >= 1, a.pads.allSatisfy({ $0 >= 0 }) else {
                    throw GraphRuntimeError.invalidAttribute(op: n.opType, node: name, reason: "strides \(a.strides), group \(a.group), pads \(a.pads)")
                }
                return a
            }
            let op: Operator
            switch n.opType {
            case "Constant":
                guard let t = n.attributes["value"]?.tensor, let out = n.outputs.first else {
                    throw GraphRuntimeError.invalidAttribute(op: "Constant", node: name, reason: "no tensor value")
                }
                g.constants[out] = GraphTensor(shape: t.dims, data: t.floatValues())
                continue
            case "Conv": op = .conv(try conv())
            case "ConvTranspose": op = .convTranspose(try conv())
            case "BatchNormalization": op = .batchNormalization(epsilon: float("epsilon", 1e-5))
            case "Add": op = .binary(.add)
            case "Sub": op = .binary(.sub)
            case "Mul": op = .binary(.mul)
            case "Div": op = .binary(.div)
            case "Pow": op = .binary(.pow)
            case "Relu": op = .unary(.relu)
            case "Sigmoid": op = .unary(.sigmoid)
            case "Sqrt": op = .unary(.sqrt)
            case "HardSigmoid": op = .unary(.hardSigmoid(alpha: float("alpha", 0.2), beta: float("beta", 0.5)))
            case "HardSwish": op = .unary(.hardSwish)
            case "Identity", "Dropout": op = .unary(.identity)
            case "Clip": op = .clip(min: float("min", -.infinity), max: float("max", .infinity))
            case "GlobalAveragePool": op = .globalAveragePool
            case "Resize":
                op = .resize(mode: n.attributes["mode"]?.string ?? "nearest",
                             coordinates: n.attributes["coordinate_transformation_mode"]?.string ?? "half_pixel",
                             nearestMode: n.attributes["nearest_mode"]?.string ?? "round_prefer_floor")
            case "Concat": op = .concat(axis: Int(n.attributes["axis"]?.int ?? 0))
            case "AveragePool", "MaxPool":
                guard n.attributes["ceil_mode"]?.int ?? 0 == 0, (n.attributes["auto_pad"]?.string ?? "NOTSET") == "NOTSET" else {
                    throw GraphRuntimeError.invalidAttribute(op: n.opType, node: name, reason: "ceil_mode/auto_pad are not supported")
                }
                let kernel = ints("kernel_shape") ?? [], strides = ints("strides") ?? [1, 1], pads = ints("pads") ?? [0, 0, 0, 0]
                guard kernel.count == 2, strides.count == 2, pads.count == 4 else {
                    throw GraphRuntimeError.invalidAttribute(op: n.opType, node: name, reason: "2-D pooling only")
                }
                op = n.opType == "MaxPool" ? .maxPool(kernel: kernel, strides: strides, pads: pads)
                    : .averagePool(kernel: kernel, strides: strides, pads: pads, countIncludePad: n.attributes["count_include_pad"]?.int == 1)
            case "MatMul": op = .matMul
            case "Softmax": op = .softmax(axis: Int(n.attributes["axis"]?.int ?? -1))
            case "ReduceMean": op = .reduceMean(axes: ints("axes"), keepDims: n.attributes["keepdims"]?.int ?? 1 != 0)
            case "Shape": op = .shape
            case "Cast": op = .cast(to: Int(n.attributes["to"]?.int ?? 1))
            case "Slice": op = .slice
            case "Reshape": op = .reshape(allowZero: n.attributes["allowzero"]?.int == 1)
            case "Transpose": op = .transpose(perm: ints("perm"))
            case "Squeeze": op = .squeeze(axes: ints("axes"))
            case "Unsqueeze": op = .unsqueeze(axes: ints("axes"))
            default:
                throw GraphRuntimeError.unsupportedOperator(op: n.opType, node: name)
            }
            g.nodes.append(Graph.Node(name: name, op: op, inputs: n.inputs, outputs: n.outputs))
        }
        return g
    }
}
