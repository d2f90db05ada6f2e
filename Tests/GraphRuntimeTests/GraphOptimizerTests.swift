import GraphRuntime
import TestSupport
import Testing

/// The optimizer's fusions leave what a graph computes unchanged: the same graph run with and without
/// `GraphOptimizer`, on patterns PP-OCR's export uses (BatchNormalization, scalar affine maps, the
/// decomposed hard-swish gate, a squeeze-excitation branch whose values are read twice).
@Suite struct GraphOptimizerTests {
    static func graph(_ rng: inout SplitMix) -> Graph {
        func random(_ shape: [Int]) -> GraphTensor {
            GraphTensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 800 })
        }
        var g = Graph()
        g.inputs = ["x"]
        g.outputs = ["out", "side"]
        func scalar(_ name: String, _ v: Float) { g.constants[name] = GraphTensor(shape: [], data: [v]) }
        g.constants["w1"] = random([8, 3, 3, 3]); g.constants["b1"] = random([8])
        for (n, v) in [("bn_s", 1.5), ("bn_b", 0.1), ("bn_m", 0.2), ("bn_v", 0.7)] as [(String, Float)] {
            g.constants[n] = GraphTensor(shape: [8], data: (0..<8).map { v + Float($0) / 10 })
        }
        scalar("three", 3); scalar("zero", 0); scalar("six", 6); scalar("k", 0.9); scalar("c", -0.2)
        g.constants["wd"] = random([8, 1, 3, 3]); g.constants["bd"] = random([8])
        g.constants["w2"] = random([4, 8, 1, 1])
        g.constants["chan"] = random([1, 4, 1, 1])
        var a = Operator.ConvAttributes()
        a.kernel = [3, 3]; a.strides = [2, 2]; a.pads = [1, 1, 1, 1]
        var dw = a
        dw.strides = [1, 1]; dw.group = 8
        var pw = Operator.ConvAttributes()
        pw.kernel = [1, 1]
        func node(_ name: String, _ op: Operator, _ inputs: [String], _ output: String) {
            g.nodes.append(Graph.Node(name: name, op: op, inputs: inputs, outputs: [output]))
        }
        node("conv1", .conv(a), ["x", "w1", "b1"], "c1")
        node("bn", .batchNormalization(epsilon: 1e-5), ["c1", "bn_s", "bn_b", "bn_m", "bn_v"], "n1")
        // hard-swish as paddle2onnx writes it: x · clip(x + 3, 0, 6) / 6
        node("add3", .binary(.add), ["n1", "three"], "h1")
        node("clip", .clip(min: -.infinity, max: .infinity), ["h1", "zero", "six"], "h2")
        node("gate", .binary(.mul), ["n1", "h2"], "h3")
        node("div6", .binary(.div), ["h3", "six"], "h4")
        node("scale", .binary(.mul), ["k", "h4"], "h5")
        node("shift", .binary(.add), ["h5", "c"], "h6")
        node("dw", .conv(dw), ["h6", "wd", "bd"], "d1")
        node("relu", .unary(.relu), ["d1"], "d2")
        // Squeeze-excitation added back to its input: d2 is read by the pooling, the Mul and the Add, so it must
        // stay; d2 + d2·p2 becomes d2·(p2 + 1), the +1 fused after the hard sigmoid.
        node("pool", .globalAveragePool, ["d2"], "p1")
        node("sig", .unary(.hardSigmoid(alpha: 0.2, beta: 0.5)), ["p1"], "p2")
        node("se", .binary(.mul), ["d2", "p2"], "s1")
        node("residual", .binary(.add), ["d2", "s1"], "s2")
        node("conv2", .conv(pw), ["s2", "w2"], "c2")
        node("perchannel", .binary(.mul), ["c2", "chan"], "side")
        node("after", .binary(.sub), ["side", "c"], "o1")
        node("act", .unary(.sigmoid), ["o1"], "out")
        return g
    }

    @Test func fusedGraphComputesTheSame() throws {
        var rng = SplitMix(seed: 7)
        let g = Self.graph(&rng)
        let x = GraphTensor(shape: [2, 3, 15, 13], data: (0..<(2 * 3 * 15 * 13)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 500 })
        let plain = try GraphExecutor(graph: g, optimize: false).run(["x": x])
        let fused = try GraphExecutor(graph: g)
        let out = try fused.run(["x": x])
        for name in ["out", "side"] {
            let a = try #require(plain[name]), b = try #require(out[name])
            #expect(a.shape == b.shape)
            let worst = zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-4, "\(name): max |Δ| \(worst)")
        }
        // conv1 absorbs BN, the gate and the affine tail; dw absorbs relu; the pooled branch is one pointwise
        // node (hard sigmoid, +1) and the residual one Mul; "side" (a graph output) stays
        // conv2's output, and only the tail after it becomes one pointwise node.
        let ops = fused.graph.nodes.map { "\($0.op)".split(separator: "(").first.map(String.init) ?? "" }
        #expect(ops == ["fusedConv", "fusedConv", "globalAveragePool", "pointwise", "binary", "fusedConv", "pointwise"], "\(ops)")
    }

    /// The detector head's pattern: ConvTranspose → Add per-channel constant → BatchNormalization → Relu →
    /// ConvTranspose to one channel → Add scalar → Sigmoid, with 2×2 stride-2 kernels (each output pixel has one
    /// source) and with an overlapping 3×3 stride-2 kernel with padding.
    @Test(arguments: [(2, 0), (3, 1)])
    func fusedTransposedConvolutionComputesTheSame(kernel k: Int, pad: Int) throws {
        var rng = SplitMix(seed: UInt64(11 + k))
        func random(_ shape: [Int]) -> GraphTensor {
            GraphTensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 800 })
        }
        var g = Graph()
        g.inputs = ["x"]
        g.outputs = ["out"]
        g.constants["w1"] = random([5, 6, k, k]); g.constants["b1"] = random([6])
        g.constants["per"] = random([1, 6, 1, 1])
        for name in ["s", "b", "m"] { g.constants[name] = random([6]) }
        g.constants["v"] = GraphTensor(shape: [6], data: (0..<6).map { 0.5 + Float($0) / 4 })
        g.constants["w2"] = random([6, 1, k, k])
        g.constants["c"] = GraphTensor(shape: [], data: [-0.1])
        var a = Operator.ConvAttributes()
        a.kernel = [k, k]; a.strides = [2, 2]; a.pads = [pad, pad, pad, pad]
        func node(_ name: String, _ op: Operator, _ inputs: [String], _ output: String) {
            g.nodes.append(Graph.Node(name: name, op: op, inputs: inputs, outputs: [output]))
        }
        node("up1", .convTranspose(a), ["x", "w1", "b1"], "u1")
        node("add", .binary(.add), ["u1", "per"], "u2")
        node("bn", .batchNormalization(epsilon: 1e-5), ["u2", "s", "b", "m", "v"], "u3")
        node("relu", .unary(.relu), ["u3"], "u4")
        node("up2", .convTranspose(a), ["u4", "w2"], "u5")
        node("shift", .binary(.add), ["u5", "c"], "u6")
        node("sigmoid", .unary(.sigmoid), ["u6"], "out")
        let x = random([2, 5, 9, 7])
        let plain = try #require(try GraphExecutor(graph: g, optimize: false).run(["x": x])["out"])
        let fused = try GraphExecutor(graph: g)
        let out = try #require(try fused.run(["x": x])["out"])
        #expect(plain.shape == out.shape)
        let worst = zip(plain.data, out.data).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-5, "max |Δ| \(worst)")
        #expect(fused.graph.nodes.count == 2, "\(fused.graph.nodes.map(\.name))")
    }
}
