import ModelFormats

/// Maps a TFLite subgraph (NHWC) onto the NCHW IR: the input is transposed once to NCHW, convolution
/// weights are re-laid out at import, axis-based operators have their axes remapped, values that must be
/// seen in NHWC order (reshapes, 4-D outputs) are transposed back. DEQUANTIZE of constant float16 weights
/// is folded; fused activations become nodes. Unknown operators are reported with their index and name.
public enum TFLiteImporter {
    public static func importGraph(_ model: TFLiteModel) throws -> Graph {
        let sub = model.subgraphs[0]
        var g = Graph()
        func valueName(_ i: Int) -> String { "t\(i)" }
        var counter = 0
        func fresh(_ base: String) -> String { counter += 1; return "\(base)#\(counter)" }
        /// Tensors holding 4-D NCHW data (others are stored as TFLite lays them out).
        var isNCHW = Set<String>()
        func add(_ op: Operator, _ inputs: [String], _ outputs: [String], _ name: String) {
            g.nodes.append(Graph.Node(name: name, op: op, inputs: inputs, outputs: outputs))
        }
        for (i, t) in sub.tensors.enumerated() where t.buffer > 0 {
            if let data = model.constant(t), data.count == t.shape.reduce(1, *) { g.constants[valueName(i)] = GraphTensor(shape: t.shape, data: data) }
        }
        for i in sub.inputs {
            let t = sub.tensors[i]
            let raw = "input:" + (t.name.isEmpty ? valueName(i) : t.name)
            g.inputs.append(raw)
            if t.shape.count == 4 {
                add(.transpose(perm: [0, 3, 1, 2]), [raw], [valueName(i)], "input layout")
                isNCHW.insert(valueName(i))
            } else {
                add(.unary(.identity), [raw], [valueName(i)], "input")
            }
        }
        func constant(_ i: Int, _ what: String, _ node: String) throws -> GraphTensor {
            guard i >= 0, let c = g.constants[valueName(i)] else {
                throw GraphRuntimeError.invalidAttribute(op: what, node: node, reason: "input \(i) must be constant")
            }
            return c
        }
        func activation(_ code: Int64, _ value: String, _ node: String) throws -> String {
            switch code {
            case 0: return value
            case 1:
                let out = fresh(value); add(.unary(.relu), [value], [out], node + " relu"); if isNCHW.contains(value) { isNCHW.insert(out) }; return out
            case 3:
                let out = fresh(value); add(.clip(min: 0, max: 6), [value], [out], node + " relu6"); if isNCHW.contains(value) { isNCHW.insert(out) }; return out
            default: throw GraphRuntimeError.invalidAttribute(op: "fused activation", node: node, reason: "code \(code) is not supported")
            }
        }
        /// A constant shaped for NHWC broadcasting, re-shaped to broadcast against NCHW data.
        func channelConstant(_ i: Int) -> String? {
            guard let c = g.constants[valueName(i)], c.shape.count < 4, let last = c.shape.last, c.count == last else { return nil }
            let name = fresh(valueName(i))
            g.constants[name] = GraphTensor(shape: [1, last, 1, 1], data: c.data)
            return name
        }
        for (index, o) in sub.operators.enumerated() {
            let code = model.operatorCodes[o.opcodeIndex]
            let node = "\(index):\(code.name)"
            let opt = o.options
            guard let outIndex = o.outputs.first else { continue }
            let out = valueName(outIndex)
            let inputs = o.inputs.map { $0 >= 0 ? valueName($0) : "" }
            let x = inputs.first ?? ""
            func same(_ kernel: [Int], _ strides: [Int]) -> [Int] {
                // Explicit TensorFlow SAME pads for a 4-D input whose static NHWC shape is known.
                let s = sub.tensors[o.inputs[0]].shape
                func split(_ n: Int, _ k: Int, _ st: Int) -> (Int, Int) {
                    let total = max(((n + st - 1) / st - 1) * st + k - n, 0)
                    return (total / 2, total - total / 2)
                }
                let (t, b) = split(s[1], kernel[0], strides[0]), (l, r) = split(s[2], kernel[1], strides[1])
                return [t, l, b, r]
            }
            switch code.custom ?? code.name {
            case "DEQUANTIZE":
                guard let c = g.constants[x] else { throw GraphRuntimeError.invalidAttribute(op: "DEQUANTIZE", node: node, reason: "input is not constant") }
                g.constants[out] = GraphTensor(shape: sub.tensors[outIndex].shape, data: c.data)
                continue
            case "CONV_2D", "DEPTHWISE_CONV_2D":
                let depthwise = code.name == "DEPTHWISE_CONV_2D"
                let w = try constant(o.inputs[1], code.name, node)
                guard w.shape.count == 4 else { throw GraphRuntimeError.shapeMismatch(op: code.name, node: node, reason: "weights \(w.shape)") }
                let (kh, kw) = (w.shape[1], w.shape[2])
                var a = Operator.ConvAttributes()
                a.kernel = [kh, kw]
                let strideW = Int(try opt?.int(1, default: 1) ?? 1), strideH = Int(try opt?.int(2, default: 1) ?? 1)
                a.strides = [strideH, strideW]
                let padding = try opt?.int(0, width: 1) ?? 0
                a.pads = padding == 0 ? same([kh, kw], a.strides) : [0, 0, 0, 0]
                let weightName = fresh("w"), biasName = fresh("b")
                if depthwise {
                    let c = w.shape[3]
                    guard try opt?.int(3, default: 1) ?? 1 == 1 else {
                        throw GraphRuntimeError.invalidAttribute(op: code.name, node: node, reason: "depth multiplier ≠ 1")
                    }
                    var data = [Float](repeating: 0, count: c * kh * kw)
                    for ky in 0..<kh { for kx in 0..<kw { for ch in 0..<c { data[(ch * kh + ky) * kw + kx] = w.data[(ky * kw + kx) * c + ch] } } }
                    g.constants[weightName] = GraphTensor(shape: [c, 1, kh, kw], data: data)
                    a.group = c
                } else {
                    let (co, ci) = (w.shape[0], w.shape[3])
                    var data = [Float](repeating: 0, count: co * ci * kh * kw)
                    for oc in 0..<co { for ky in 0..<kh { for kx in 0..<kw { for ic in 0..<ci {
                        data[((oc * ci + ic) * kh + ky) * kw + kx] = w.data[((oc * kh + ky) * kw + kx) * ci + ic]
                    } } } }
                    g.constants[weightName] = GraphTensor(shape: [co, ci, kh, kw], data: data)
                }
                var convInputs = [x, weightName]
                if o.inputs.count > 2, o.inputs[2] >= 0 { g.constants[biasName] = try constant(o.inputs[2], code.name, node); convInputs.append(biasName) }
                let raw = fresh(out)
                add(.conv(a), convInputs, [raw], node)
                isNCHW.insert(raw)
                let act = try activation(try opt?.int(depthwise ? 4 : 3, width: 1) ?? 0, raw, node)
                add(.unary(.identity), [act], [out], node + " out")
            case "Convolution2DTransposeBias":
                let w = try constant(o.inputs[1], code.name, node)  // [O, kh, kw, I]
                let (co, kh, kw, ci) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
                var data = [Float](repeating: 0, count: ci * co * kh * kw)
                for oc in 0..<co { for ky in 0..<kh { for kx in 0..<kw { for ic in 0..<ci {
                    data[((ic * co + oc) * kh + ky) * kw + kx] = w.data[((oc * kh + ky) * kw + kx) * ci + ic]
                } } } }
                let weightName = fresh("w"), biasName = fresh("b")
                g.constants[weightName] = GraphTensor(shape: [ci, co, kh, kw], data: data)
                g.constants[biasName] = try constant(o.inputs[2], code.name, node)
                var a = Operator.ConvAttributes()
                a.kernel = [kh, kw]
                let inShape = sub.tensors[o.inputs[0]].shape, outShape = sub.tensors[outIndex].shape
                a.strides = [max(1, outShape[1] / max(inShape[1], 1)), max(1, outShape[2] / max(inShape[2], 1))]
                add(.convTranspose(a), [x, weightName, biasName], [out], node)
            case "ADD", "MUL":
                let kind: Operator.BinaryKind = code.name == "ADD" ? .add : .mul
                let a = channelConstant(o.inputs[0]) ?? inputs[0], b = channelConstant(o.inputs[1]) ?? inputs[1]
                let raw = fresh(out)
                add(.binary(kind), [a, b], [raw], node)
                if isNCHW.contains(inputs[0]) || isNCHW.contains(inputs[1]) { isNCHW.insert(raw) }
                add(.unary(.identity), [try activation(try opt?.int(0, width: 1) ?? 0, raw, node)], [out], node + " out")
            case "PRELU":
                let alpha = channelConstant(o.inputs[1]) ?? inputs[1]
                add(.binary(.prelu), [x, alpha], [out], node)
            case "RELU": add(.unary(.relu), [x], [out], node)
            case "RELU6": add(.clip(min: 0, max: 6), [x], [out], node)
            case "LOGISTIC": add(.unary(.sigmoid), [x], [out], node)
            case "HARD_SWISH": add(.unary(.hardSwish), [x], [out], node)
            case "PAD":
                let p = try constant(o.inputs[1], "PAD", node).data.map { Int($0) }  // [[b,e] per NHWC dim]
                guard p.count == 8 else { throw GraphRuntimeError.invalidAttribute(op: "PAD", node: node, reason: "paddings for a 4-D input only") }
                // NHWC pairs → NCHW begins then ends.
                let order = [0, 3, 1, 2]
                add(.pad(pads: order.map { p[2 * $0] } + order.map { p[2 * $0 + 1] }), [x], [out], node)
            case "MAX_POOL_2D", "AVERAGE_POOL_2D":
                let strides = [Int(try opt?.int(2, default: 1) ?? 1), Int(try opt?.int(1, default: 1) ?? 1)]
                let kernel = [Int(try opt?.int(4, default: 1) ?? 1), Int(try opt?.int(3, default: 1) ?? 1)]
                let pads = (try opt?.int(0, width: 1) ?? 0) == 0 ? same(kernel, strides) : [0, 0, 0, 0]
                add(code.name == "MAX_POOL_2D" ? .maxPool(kernel: kernel, strides: strides, pads: pads)
                    : .averagePool(kernel: kernel, strides: strides, pads: pads, countIncludePad: false), [x], [out], node)
            case "RESIZE_BILINEAR":
                let size = try constant(o.inputs[1], "RESIZE_BILINEAR", node).data
                let inShape = sub.tensors[o.inputs[0]].shape
                let sizes = fresh("sizes")
                g.constants[sizes] = GraphTensor(shape: [4], data: [Float(inShape[0]), Float(inShape[3]), size[0], size[1]])
                let align = try opt?.bool(2) ?? false, half = try opt?.bool(3) ?? false
                add(.resize(mode: "linear", coordinates: align ? "align_corners" : (half ? "half_pixel" : "asymmetric"), nearestMode: ""),
                    [x, "", "", sizes], [out], node)
            case "RESHAPE":
                var source = x
                if isNCHW.contains(x) {
                    source = fresh(x)
                    add(.transpose(perm: [0, 2, 3, 1]), [x], [source], node + " to NHWC")
                }
                let shapeName = fresh("shape")
                let target = sub.tensors[outIndex].shape
                g.constants[shapeName] = GraphTensor(shape: [target.count], data: target.map(Float.init))
                add(.reshape(allowZero: false), [source, shapeName], [out], node)
                if target.count == 4 {  // back to NCHW for later convolutions
                    let nhwc = fresh(out)
                    g.nodes[g.nodes.count - 1] = Graph.Node(name: node, op: .reshape(allowZero: false), inputs: [source, shapeName], outputs: [nhwc])
                    add(.transpose(perm: [0, 3, 1, 2]), [nhwc], [out], node + " to NCHW")
                }
            case "CONCATENATION":
                var axis = Int(try opt?.int(0) ?? 0)
                if inputs.allSatisfy({ isNCHW.contains($0) }) {
                    if axis < 0 { axis += 4 }
                    axis = [0, 2, 3, 1][axis]
                }
                let raw = fresh(out)
                add(.concat(axis: axis), inputs, [raw], node)
                if inputs.allSatisfy({ isNCHW.contains($0) }) { isNCHW.insert(raw) }
                add(.unary(.identity), [try activation(try opt?.int(1, width: 1) ?? 0, raw, node)], [out], node + " out")
            default:
                throw GraphRuntimeError.unsupportedOperator(op: code.name, node: node)
            }
            // Every 4-D value the IR holds is NCHW (4-D reshapes are transposed back above).
            if sub.tensors[outIndex].shape.count == 4 { isNCHW.insert(out) }
        }
        for i in sub.outputs {
            let t = sub.tensors[i]
            let name = t.name.isEmpty ? valueName(i) : t.name
            if isNCHW.contains(valueName(i)) {
                add(.transpose(perm: [0, 2, 3, 1]), [valueName(i)], [name], "output layout")
            } else {
                add(.unary(.identity), [valueName(i)], [name], "output")
            }
            g.outputs.append(name)
        }
        return g
    }
}
