import Tensor

/// Rewrites a graph for speed without changing what it computes (up to float rounding):
/// - `x + x·s` becomes `x·(s + 1)`;
/// - every convolution with constant weights becomes a `fusedConv` with packed weights, and every
///   transposed one a `fusedConvTranspose`;
/// - the elementwise operations that follow a (transposed) convolution alone (BatchNormalization, Mul/Add/Sub/Div by a
///   scalar or per-channel constant, Relu, Clip, HardSigmoid, HardSwish, Sigmoid, and gates
///   `x · f(x)` such as the decomposed hard-swish `x · clip(x + 3, 0, 6)`) are fused into it, a leading
///   affine map straight into its weights and bias;
/// - such chains after any other operator become one `pointwise` node (scalar constants only).
/// Values that are graph outputs, or that another node also reads, are never fused away.
public enum GraphOptimizer {
    public static func optimize(_ graph: Graph) -> Graph {
        fuse(mergingResidualScales(graph))
    }

    /// `x + x·s` (a squeeze-excitation scale added back to its input) becomes `x·(s + 1)`: one pass instead of
    /// two, and in place on x. Applies when the product and s are read by nothing else.
    static func mergingResidualScales(_ graph: Graph) -> Graph {
        var consumers: [String: [Int]] = [:]
        for (i, n) in graph.nodes.enumerated() { for v in n.inputs where !v.isEmpty { consumers[v, default: []].append(i) } }
        let outputs = Set(graph.outputs)
        var g = graph
        let one = "loupe.optimizer.one"
        var changed = false
        for (i, add) in graph.nodes.enumerated() {
            guard case .binary(.add) = add.op, add.inputs.count == 2 else { continue }
            for (x, m) in [(add.inputs[0], add.inputs[1]), (add.inputs[1], add.inputs[0])] {
                guard x != m, !outputs.contains(m), consumers[m] == [i],
                      let mi = graph.nodes.firstIndex(where: { $0.outputs == [m] }), case .binary(.mul) = graph.nodes[mi].op,
                      graph.nodes[mi].inputs.count == 2, graph.nodes[mi].inputs.contains(x) else { continue }
                let mul = graph.nodes[mi]
                let sName = mul.inputs[0] == x ? mul.inputs[1] : mul.inputs[0]
                guard sName != x, !outputs.contains(sName), consumers[sName] == [mi], graph.constants[sName] == nil else { continue }
                let shifted = sName + "+1"
                // The Mul's slot computes s + 1; the Add becomes the product.
                g.nodes[mi] = Graph.Node(name: mul.name + "+1", op: .binary(.add), inputs: [sName, one], outputs: [shifted])
                g.nodes[i] = Graph.Node(name: add.name, op: .binary(.mul), inputs: [x, shifted], outputs: add.outputs)
                changed = true
                break
            }
        }
        if changed { g.constants[one] = GraphTensor(shape: [], data: [1]) }
        return g
    }

    /// Removes the program's leading affine map, if any, and returns it per channel (for folding into weights).
    static func takeLeadingAffine(_ program: inout PointwiseProgram, channels: Int) -> (scale: [Float], shift: [Float])? {
        guard case let .affine(scale, shift)? = program.ops.first else { return nil }
        program = PointwiseProgram(Array(program.ops.dropFirst()))
        func perChannel(_ v: [Float]) -> [Float] { v.count == 1 ? [Float](repeating: v[0], count: channels) : v }
        return (perChannel(scale), perChannel(shift))
    }

    static func fuse(_ graph: Graph) -> Graph {
        var consumers: [String: [Int]] = [:]
        for (i, n) in graph.nodes.enumerated() { for v in n.inputs where !v.isEmpty { consumers[v, default: []].append(i) } }
        let outputs = Set(graph.outputs)
        var removed = Set<Int>()
        var replaced: [Int: Graph.Node] = [:]
        var inserted: [Int: Graph.Node] = [:]

        /// The op node `i` applies to value `v`, if it is elementwise with constants only. `channels`: the
        /// channel count of v (NCHW) when known, which allows per-channel constants.
        func pointwiseOp(_ i: Int, on v: String, channels: Int?) -> [PointwiseProgram.Op]? {
            let n = graph.nodes[i]
            func constant(_ name: String) -> [Float]? {
                guard let c = graph.constants[name] else { return nil }
                if c.count == 1 { return c.data }
                // Per channel: [C, 1, 1] or [1, C, 1, 1] against an NCHW value with C channels.
                guard let channels, c.count == channels,
                      c.shape == [channels, 1, 1] || c.shape == [1, channels, 1, 1] else { return nil }
                return c.data
            }
            switch n.op {
            case let .unary(kind):
                guard n.inputs.first == v else { return nil }
                switch kind {
                case .relu: return [.clip(low: 0, high: .infinity)]
                case .sigmoid: return [.sigmoid]
                case let .hardSigmoid(alpha, beta): return [.hardSigmoid(alpha: alpha, beta: beta)]
                case .hardSwish: return [.hardSwish]
                case .identity: return []
                case .sqrt: return nil
                }
            case let .clip(lo, hi):
                guard n.inputs.first == v else { return nil }
                var low = lo, high = hi
                if n.inputs.count > 1, !n.inputs[1].isEmpty {
                    guard let c = graph.constants[n.inputs[1]], c.count == 1 else { return nil }
                    low = c.data[0]
                }
                if n.inputs.count > 2, !n.inputs[2].isEmpty {
                    guard let c = graph.constants[n.inputs[2]], c.count == 1 else { return nil }
                    high = c.data[0]
                }
                return [.clip(low: low, high: high)]
            case .batchNormalization(let epsilon):
                guard n.inputs.count == 5, n.inputs[0] == v, let channels,
                      let params = Optional(n.inputs[1...].compactMap({ graph.constants[$0]?.data })), params.count == 4,
                      params.allSatisfy({ $0.count == channels }) else { return nil }
                let scale = (0..<channels).map { params[0][$0] / (params[3][$0] + epsilon).squareRoot() }
                let shift = (0..<channels).map { params[1][$0] - params[2][$0] * scale[$0] }
                return [.affine(scale: scale, shift: shift)]
            case let .binary(kind):
                guard n.inputs.count == 2 else { return nil }
                let vFirst = n.inputs[0] == v, other = vFirst ? n.inputs[1] : n.inputs[0]
                guard vFirst || n.inputs[1] == v, other != v, let c = constant(other) else { return nil }
                switch kind {
                case .add: return [.affine(scale: [1], shift: c)]
                case .mul: return [.affine(scale: c, shift: [0])]
                case .sub: return vFirst ? [.affine(scale: [1], shift: c.map { -$0 })] : [.affine(scale: [-1], shift: c)]
                case .div:
                    guard vFirst, c.allSatisfy({ $0 != 0 }) else { return nil }
                    return [.affine(scale: c.map { 1 / $0 }, shift: [0])]
                case .pow, .prelu: return nil
                }
            default:
                return nil
            }
        }

        /// Extends a chain from value `v`: the fused program, the last value, and the nodes absorbed.
        func chain(from start: String, channels: Int?) -> (PointwiseProgram, String, [Int]) {
            var program = PointwiseProgram(), v = start, absorbed: [Int] = []
            func sole(_ value: String) -> Int? {
                guard !outputs.contains(value), let c = consumers[value], c.count == 1, !removed.contains(c[0]) else { return nil }
                return c[0]
            }
            while true {
                if let i = sole(v), let ops = pointwiseOp(i, on: v, channels: channels) {
                    for op in ops { program.append(op) }
                    absorbed.append(i)
                    v = graph.nodes[i].outputs[0]
                    continue
                }
                // A gate: v read by a Mul and by a chain of pointwise ops that ends in the Mul's other input.
                guard !outputs.contains(v), let c = consumers[v], c.count == 2, c[0] != c[1], !program.gateIsOpen else { break }
                var found = false
                for (mul, branch) in [(c[0], c[1]), (c[1], c[0])] {
                    guard case .binary(.mul) = graph.nodes[mul].op, graph.nodes[mul].inputs.count == 2, !removed.contains(mul),
                          !removed.contains(branch) else { continue }
                    var inner = PointwiseProgram(), u = v, path: [Int] = [], next: Int? = branch
                    while let i = next, i != mul, let ops = pointwiseOp(i, on: u, channels: channels) {
                        for op in ops { inner.append(op) }
                        path.append(i)
                        u = graph.nodes[i].outputs[0]
                        next = outputs.contains(u) ? nil : consumers[u].flatMap { $0.count == 1 ? $0[0] : nil }
                    }
                    let m = graph.nodes[mul]
                    guard !path.isEmpty, next == mul, Set(m.inputs) == Set([v, u]), !inner.ops.contains(.gateBegin) else { continue }
                    program.append(.gateBegin)
                    for op in inner.ops { program.append(op) }
                    program.append(.gateEnd)
                    absorbed += path + [mul]
                    v = m.outputs[0]
                    found = true
                    break
                }
                if !found { break }
            }
            return (program, v, absorbed)
        }

        for (i, node) in graph.nodes.enumerated() where !removed.contains(i) {
            if case let .conv(a) = node.op, node.outputs.count == 1, node.inputs.count >= 2,
               let w = graph.constants[node.inputs[1]], w.shape.count == 4, a.group >= 1, w.shape[0] % a.group == 0 {
                let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? graph.constants[node.inputs[2]] : nil
                if node.inputs.count > 2, !node.inputs[2].isEmpty, bias == nil { continue }
                let co = w.shape[0]
                guard bias.map({ $0.count == co }) ?? true else { continue }
                var (program, last, absorbed) = chain(from: node.outputs[0], channels: co)
                var weight = w.data, b = bias?.data
                // A leading affine map goes into the weights ([co, …]) and bias.
                if let (scale, shift) = takeLeadingAffine(&program, channels: co) {
                    let per = weight.count / co
                    for c in 0..<co { for j in 0..<per { weight[c * per + j] *= scale[c] } }
                    b = (0..<co).map { (b?[$0] ?? 0) * scale[$0] + shift[$0] }
                }
                let conv = PackedConvolution(weight: weight, bias: b, outChannels: co, inChannels: w.shape[1] * a.group,
                                             kernelHeight: w.shape[2], kernelWidth: w.shape[3], groups: a.group, program: program)
                var attributes = a
                attributes.kernel = [w.shape[2], w.shape[3]]
                replaced[i] = Graph.Node(name: node.name, op: .fusedConv(attributes, conv), inputs: [node.inputs[0]], outputs: [last])
                absorbed.forEach { removed.insert($0) }
                continue
            }
            if case let .convTranspose(a) = node.op, node.outputs.count == 1, node.inputs.count >= 2, a.group == 1,
               let w = graph.constants[node.inputs[1]], w.shape.count == 4, w.shape[2] == w.shape[3],
               a.strides.count == 2, a.strides[0] == a.strides[1], a.pads.count == 4, a.outputPadding.count == 2 {
                let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? graph.constants[node.inputs[2]] : nil
                if node.inputs.count > 2, !node.inputs[2].isEmpty, bias == nil { continue }
                let (ci, co, k) = (w.shape[0], w.shape[1], w.shape[2])
                guard bias.map({ $0.count == co }) ?? true else { continue }
                var (program, last, absorbed) = chain(from: node.outputs[0], channels: co)
                var weight = w.data, b = bias?.data
                // Into the weights ([ci, co, k, k]) and bias.
                if let (scale, shift) = takeLeadingAffine(&program, channels: co) {
                    for i in 0..<ci { for c in 0..<co { for j in 0..<(k * k) { weight[(i * co + c) * k * k + j] *= scale[c] } } }
                    b = (0..<co).map { (b?[$0] ?? 0) * scale[$0] + shift[$0] }
                }
                let conv = FusedConvTranspose(weight: weight, bias: b, inChannels: ci, outChannels: co, kernel: k, program: program)
                replaced[i] = Graph.Node(name: node.name, op: .fusedConvTranspose(a, conv), inputs: [node.inputs[0]], outputs: [last])
                absorbed.forEach { removed.insert($0) }
                continue
            }
            guard node.outputs.count == 1 else { continue }
            // An elementwise node no chain took starts one of its own.
            if let v = node.inputs.first(where: { !$0.isEmpty && graph.constants[$0] == nil }),
               let ops = pointwiseOp(i, on: v, channels: nil) {
                let (rest, last, absorbed) = chain(from: node.outputs[0], channels: nil)
                replaced[i] = Graph.Node(name: node.name, op: .pointwise(PointwiseProgram(ops + rest.ops)), inputs: [v], outputs: [last])
                absorbed.forEach { removed.insert($0) }
                continue
            }
            let (program, last, absorbed) = chain(from: node.outputs[0], channels: nil)
            guard !absorbed.isEmpty, last != node.outputs[0] else { continue }
            inserted[i] = Graph.Node(name: node.name + "+pointwise", op: .pointwise(program), inputs: [node.outputs[0]], outputs: [last])
            absorbed.forEach { removed.insert($0) }
        }

        var out = graph
        out.nodes = []
        for (i, node) in graph.nodes.enumerated() where !removed.contains(i) {
            out.nodes.append(replaced[i] ?? node)
            if let extra = inserted[i] { out.nodes.append(extra) }
        }
        return out
    }
}
