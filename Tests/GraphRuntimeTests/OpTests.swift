import Foundation
import GraphRuntime
import TestSupport
import Testing
import Tensor

/// Each graph operator against a naive reference written out with explicit loops.
@Suite struct OpTests {
    static func random(_ n: Int, _ rng: inout SplitMix) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 400 } }

    @Test func binaryBroadcasting() throws {
        var rng = SplitMix(seed: 1)
        let a = GraphTensor(shape: [2, 3, 4, 5], data: Self.random(120, &rng))
        for bShape in [[2, 3, 4, 5], [3, 1, 1], [1], [], [5], [2, 1, 4, 1], [1, 3, 1, 5]] {
            let b = GraphTensor(shape: bShape, data: Self.random(bShape.reduce(1, *), &rng))
            let y = try ElementwiseOps.binary(.sub, a, b, node: "t")
            #expect(y.shape == [2, 3, 4, 5])
            let pb = [Int](repeating: 1, count: 4 - bShape.count) + bShape
            for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { for l in 0..<5 {
                let bi = ((min(i, pb[0] - 1) * pb[1] + min(j, pb[1] - 1)) * pb[2] + min(k, pb[2] - 1)) * pb[3] + min(l, pb[3] - 1)
                let expected = a.data[((i * 3 + j) * 4 + k) * 5 + l] - b.data[bi]
                #expect(y.data[((i * 3 + j) * 4 + k) * 5 + l] == expected)
            } } } }
        }
        #expect(throws: GraphRuntimeError.self) { try ElementwiseOps.binary(.add, a, GraphTensor(shape: [4], repeating: 1), node: "t") }
    }

    @Test func unaryAndBatchNorm() throws {
        var rng = SplitMix(seed: 2)
        let x = GraphTensor(shape: [1, 2, 3, 3], data: Self.random(18, &rng))
        let hs = ElementwiseOps.unary(.hardSigmoid(alpha: 0.2, beta: 0.5), x)
        #expect(zip(hs.data, x.data).allSatisfy { $0 == min(max(0.2 * $1 + 0.5, 0), 1) })
        let sw = ElementwiseOps.unary(.hardSwish, x)
        #expect(zip(sw.data, x.data).allSatisfy { abs($0 - $1 * min(max($1 + 3, 0), 6) / 6) < 1e-6 })
        let p = { (v: [Float]) in GraphTensor(shape: [2], data: v) }
        let bn = try NormalizationOps.batchNorm(x, scale: p([2, 3]), bias: p([1, -1]), mean: p([0.5, -0.5]), variance: p([4, 0.25]),
                                                epsilon: 0, node: "t")
        for c in 0..<2 {
            for i in 0..<9 {
                let expected = (x.data[c * 9 + i] - [0.5, -0.5][c]) / [2, 0.5][c] * [2, 3][c] + [1, -1][c]
                #expect(abs(bn.data[c * 9 + i] - Float(expected)) < 1e-5)
            }
        }
    }

    @Test func groupedConvolutionAndTranspose() throws {
        var rng = SplitMix(seed: 3)
        let blas = try BLAS.shared()
        let x = GraphTensor(shape: [1, 4, 6, 5], data: Self.random(120, &rng))
        var a = Operator.ConvAttributes()
        a.kernel = [3, 3]; a.strides = [2, 2]; a.pads = [1, 0, 1, 1]; a.group = 2
        let w = GraphTensor(shape: [6, 2, 3, 3], data: Self.random(108, &rng)), b = GraphTensor(shape: [6], data: Self.random(6, &rng))
        let y = try ConvolutionOps.conv(x, weight: w, bias: b, a, node: "t", blas: blas)
        let oh = (6 + 2 - 3) / 2 + 1, ow = (5 + 1 - 3) / 2 + 1
        #expect(y.shape == [1, 6, oh, ow])
        for o in 0..<6 { for oy in 0..<oh { for ox in 0..<ow {
            var s = b.data[o]
            let g = o / 3
            for c in 0..<2 { for ky in 0..<3 { for kx in 0..<3 {
                let iy = oy * 2 + ky - 1, ix = ox * 2 + kx - 0
                guard iy >= 0, iy < 6, ix >= 0, ix < 5 else { continue }
                s += x.data[((g * 2 + c) * 6 + iy) * 5 + ix] * w.data[((o * 2 + c) * 3 + ky) * 3 + kx]
            } } }
            #expect(abs(y.data[(o * oh + oy) * ow + ox] - s) < 1e-4)
        } } }
        // ConvTranspose 2×2 stride 2: each input pixel spreads to a 2×2 block.
        var t = Operator.ConvAttributes()
        t.kernel = [2, 2]; t.strides = [2, 2]
        let tw = GraphTensor(shape: [4, 3, 2, 2], data: Self.random(48, &rng)), tb = GraphTensor(shape: [3], data: Self.random(3, &rng))
        let ty = try ConvolutionOps.convTranspose(x, weight: tw, bias: tb, t, node: "t", blas: blas)
        #expect(ty.shape == [1, 3, 12, 10])
        for o in 0..<3 { for oy in 0..<12 { for ox in 0..<10 {
            var s = tb.data[o]
            for c in 0..<4 { s += x.data[(c * 6 + oy / 2) * 5 + ox / 2] * tw.data[((c * 3 + o) * 2 + oy % 2) * 2 + ox % 2] }
            #expect(abs(ty.data[(o * 12 + oy) * 10 + ox] - s) < 1e-4)
        } } }
    }

    @Test func poolingResizeAndConcat() throws {
        var rng = SplitMix(seed: 4)
        let x = GraphTensor(shape: [1, 2, 3, 4], data: Self.random(24, &rng))
        let g = try PoolingOps.globalAverage(x, node: "t")
        #expect(g.shape == [1, 2, 1, 1] && abs(g.data[1] - x.data[12..<24].reduce(0, +) / 12) < 1e-6)
        let scales = GraphTensor(shape: [4], data: [1, 1, 2, 2])
        let r = try ResizeOps.resize(x, scales: scales, sizes: nil, mode: "nearest", coordinates: "asymmetric", nearestMode: "floor", node: "t")
        #expect(r.shape == [1, 2, 6, 8])
        for c in 0..<2 { for y in 0..<6 { for xx in 0..<8 { #expect(r.data[(c * 6 + y) * 8 + xx] == x.data[(c * 3 + y / 2) * 4 + xx / 2]) } } }
        let lin = try ResizeOps.resize(x, scales: nil, sizes: GraphTensor(shape: [4], data: [1, 2, 5, 7]), mode: "linear",
                                       coordinates: "align_corners", nearestMode: "", node: "t")
        #expect(lin.data[0] == x.data[0] && lin.data[(0 * 5 + 4) * 7 + 6] == x.data[11])
        let c = try ShapeOps.concat([x, GraphTensor(shape: [1, 1, 3, 4], data: Self.random(12, &rng))], axis: 1, node: "t")
        #expect(c.shape == [1, 3, 3, 4] && Array(c.data[0..<24]) == x.data)
        #expect(throws: GraphRuntimeError.self) { try ShapeOps.concat([x, GraphTensor(shape: [1, 1, 2, 4])], axis: 1, node: "t") }
    }
}

@Suite struct ShapeAndReductionOpTests {
    static func random(_ n: Int, _ rng: inout SplitMix) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 400 } }

    @Test func matMulBatchedAndBroadcast() throws {
        var rng = SplitMix(seed: 9)
        let a = GraphTensor(shape: [2, 3, 4], data: Self.random(24, &rng)), b = GraphTensor(shape: [4, 5], data: Self.random(20, &rng))
        let y = try MatMulOps.matMul(a, b, node: "t")
        #expect(y.shape == [2, 3, 5])
        for i in 0..<2 { for r in 0..<3 { for c in 0..<5 {
            let e = (0..<4).reduce(Float(0)) { $0 + a.data[(i * 3 + r) * 4 + $1] * b.data[$1 * 5 + c] }
            #expect(abs(y.data[(i * 3 + r) * 5 + c] - e) < 1e-5)
        } } }
        #expect(throws: GraphRuntimeError.self) { try MatMulOps.matMul(a, a, node: "t") }
    }

    @Test func softmaxReduceAndPooling() throws {
        var rng = SplitMix(seed: 10)
        let x = GraphTensor(shape: [2, 3, 4], data: Self.random(24, &rng))
        let s = try ReductionOps.softmax(x, axis: 1, node: "t")
        for i in 0..<2 { for k in 0..<4 {
            let col = (0..<3).map { x.data[(i * 3 + $0) * 4 + k] }
            let m = col.max()!, z = col.reduce(Float(0)) { $0 + expf($1 - m) }
            for j in 0..<3 { #expect(abs(s.data[(i * 3 + j) * 4 + k] - expf(col[j] - m) / z) < 1e-6) }
        } }
        let r = try ReductionOps.reduceMean(x, axes: [-1], keepDims: true, node: "t")
        #expect(r.shape == [2, 3, 1] && abs(r.data[4] - x.data[16..<20].reduce(0, +) / 4) < 1e-6)
        let image = GraphTensor(shape: [1, 1, 4, 4], data: (0..<16).map(Float.init))
        let mp = try PoolingOps.pool(image, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], max: true, countIncludePad: false, node: "t")
        #expect(mp.data == [5, 7, 13, 15])
        let ap = try PoolingOps.pool(image, kernel: [3, 2], strides: [3, 2], pads: [0, 0, 0, 0], max: false, countIncludePad: false, node: "t")
        let expectedAverage: [Float] = [27.0 / 6, 39.0 / 6]
        #expect(ap.shape == [1, 1, 1, 2] && ap.data == expectedAverage)
    }

    @Test func sliceReshapeTransposeSqueeze() throws {
        let x = GraphTensor(shape: [2, 3, 4], data: (0..<24).map(Float.init))
        let v = { (values: [Float]) in GraphTensor(shape: [values.count], data: values) }
        let s = try ShapeOps.slice(x, starts: v([1, -3]), ends: v([2, 1_000_000]), axes: v([0, 2]), steps: v([1, 2]), node: "t")
        #expect(s.shape == [1, 3, 2] && s.data == [13, 15, 17, 19, 21, 23])
        let back = try ShapeOps.slice(x, starts: v([-1]), ends: v([-10]), axes: v([2]), steps: v([-1]), node: "t")
        #expect(back.shape == [2, 3, 4] && Array(back.data[0..<4]) == [3, 2, 1, 0])
        let r = try ShapeOps.reshape(x, shape: v([0, -1]), allowZero: false, node: "t")
        #expect(r.shape == [2, 12])
        let t = try ShapeOps.transpose(x, perm: [2, 0, 1], node: "t")
        #expect(t.shape == [4, 2, 3] && t.data[1] == 4 && t.data[6] == 1)
        let u = try ShapeOps.unsqueeze(x, axes: [0, 3], node: "t")
        #expect(u.shape == [1, 2, 3, 1, 4])
        #expect(try ShapeOps.squeeze(u, axes: nil, node: "t").shape == [2, 3, 4])
        #expect(throws: GraphRuntimeError.self) { try ShapeOps.squeeze(x, axes: [1], node: "t") }
        #expect(throws: GraphRuntimeError.self) { try ShapeOps.reshape(x, shape: v([5, -1]), allowZero: false, node: "t") }
    }
}
