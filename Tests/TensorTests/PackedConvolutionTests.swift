import Tensor
import TestSupport
import Testing

/// The blocked convolution kernel (im2col panels, 8×32 micro-kernel, fused pointwise programs) and the
/// pointwise kernel against naive references, on the AVX-512 and the portable path.
@Suite struct PackedConvolutionTests {
    struct Case: Sendable, CustomStringConvertible {
        var ci, co, h, w, kh, kw, sy, sx, groups: Int
        var pad: Convolution.Padding
        var description: String { "ci \(ci) co \(co) \(h)×\(w) k \(kh)×\(kw) s \(sy),\(sx) g \(groups) pad \(pad)" }
    }

    static let cases: [Case] = [
        Case(ci: 5, co: 7, h: 13, w: 10, kh: 3, kw: 3, sy: 1, sx: 1, groups: 1, pad: .init(top: 1, left: 1, bottom: 1, right: 1)),
        Case(ci: 3, co: 16, h: 41, w: 37, kh: 3, kw: 3, sy: 2, sx: 2, groups: 1, pad: .init(top: 1, left: 1, bottom: 1, right: 1)),
        Case(ci: 24, co: 19, h: 21, w: 19, kh: 1, kw: 1, sy: 1, sx: 1, groups: 1, pad: .zero),
        Case(ci: 6, co: 9, h: 17, w: 30, kh: 1, kw: 3, sy: 1, sx: 1, groups: 1, pad: .init(top: 0, left: 1, bottom: 0, right: 1)),
        Case(ci: 4, co: 8, h: 12, w: 40, kh: 5, kw: 2, sy: 2, sx: 1, groups: 1, pad: .init(top: 2, left: 0, bottom: 1, right: 1)),
        Case(ci: 8, co: 12, h: 9, w: 11, kh: 3, kw: 3, sy: 1, sx: 2, groups: 2, pad: .init(top: 1, left: 1, bottom: 1, right: 1)),
        Case(ci: 10, co: 10, h: 23, w: 15, kh: 5, kw: 5, sy: 2, sx: 2, groups: 10, pad: .init(top: 2, left: 2, bottom: 2, right: 2)),
        Case(ci: 7, co: 7, h: 19, w: 33, kh: 3, kw: 3, sy: 1, sx: 1, groups: 7, pad: .init(top: 1, left: 1, bottom: 1, right: 1)),
        Case(ci: 6, co: 6, h: 21, w: 35, kh: 3, kw: 3, sy: 2, sx: 2, groups: 6, pad: .init(top: 1, left: 1, bottom: 1, right: 1)),
        Case(ci: 5, co: 5, h: 4, w: 81, kh: 5, kw: 5, sy: 1, sx: 1, groups: 5, pad: .init(top: 2, left: 2, bottom: 2, right: 2)),
        Case(ci: 4, co: 4, h: 9, w: 17, kh: 2, kw: 3, sy: 1, sx: 2, groups: 4, pad: .init(top: 0, left: 1, bottom: 1, right: 0)),
        Case(ci: 3, co: 3, h: 13, w: 20, kh: 3, kw: 3, sy: 3, sx: 3, groups: 3, pad: .init(top: 1, left: 1, bottom: 1, right: 1)),
        Case(ci: 12, co: 40, h: 1, w: 1, kh: 1, kw: 1, sy: 1, sx: 1, groups: 1, pad: .zero),
        Case(ci: 64, co: 33, h: 30, w: 50, kh: 3, kw: 3, sy: 1, sx: 1, groups: 1, pad: .init(top: 1, left: 1, bottom: 1, right: 1)),
    ]

    static func naive(_ x: [Float], _ c: Case, weight: [Float], bias: [Float]?) -> (y: [Float], oh: Int, ow: Int) {
        let oh = (c.h + c.pad.top + c.pad.bottom - c.kh) / c.sy + 1, ow = (c.w + c.pad.left + c.pad.right - c.kw) / c.sx + 1
        let cig = c.ci / c.groups, cog = c.co / c.groups
        var y = [Float](repeating: 0, count: c.co * oh * ow)
        for o in 0..<c.co {
            let g = o / cog
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum = Double(bias?[o] ?? 0)
                    for cc in 0..<cig {
                        for ky in 0..<c.kh {
                            for kx in 0..<c.kw {
                                let iy = oy * c.sy + ky - c.pad.top, ix = ox * c.sx + kx - c.pad.left
                                guard iy >= 0, iy < c.h, ix >= 0, ix < c.w else { continue }
                                sum += Double(x[((g * cig + cc) * c.h + iy) * c.w + ix]) * Double(weight[((o * cig + cc) * c.kh + ky) * c.kw + kx])
                            }
                        }
                    }
                    y[(o * oh + oy) * ow + ox] = Float(sum)
                }
            }
        }
        return (y, oh, ow)
    }

    /// A program with every kind of op: per-channel affine, the hard-swish gate as PP-OCR exports it, clip,
    /// hard sigmoid, and a scalar affine.
    static func program(channels: Int, _ rng: inout SplitMix) -> PointwiseProgram {
        let scale = (0..<channels).map { _ in Float(Int(rng.next() % 200) + 50) / 100 }
        let shift = (0..<channels).map { _ in Float(Int(rng.next() % 200) - 100) / 100 }
        return PointwiseProgram([
            .affine(scale: scale, shift: shift),
            .gateBegin, .affine(scale: [1], shift: [3]), .clip(low: 0, high: 6), .gateEnd, .affine(scale: [1.0 / 6], shift: [0]),
            .hardSwish, .hardSigmoid(alpha: 0.2, beta: 0.5), .affine(scale: [2], shift: [-0.25]), .clip(low: -1, high: 1.5),
        ])
    }

    @Test(arguments: cases, [true, false])
    func matchesNaive(_ c: Case, simd: Bool) throws {
        var rng = SplitMix(seed: UInt64(c.ci * 131 + c.co * 7 + c.kh + c.groups))
        func random(_ n: Int) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 } }
        let x = random(c.ci * c.h * c.w), weight = random(c.co * (c.ci / c.groups) * c.kh * c.kw), bias = random(c.co)
        let ref = Self.naive(x, c, weight: weight, bias: bias)
        KernelPool.setSIMD(simd)
        defer { KernelPool.setSIMD(true) }
        for fused in [false, true] {
            let program = fused ? Self.program(channels: c.co, &rng) : PointwiseProgram()
            let conv = PackedConvolution(weight: weight, bias: bias, outChannels: c.co, inChannels: c.ci, kernelHeight: c.kh, kernelWidth: c.kw,
                                         groups: c.groups, program: program)
            var y = [Float](repeating: .nan, count: c.co * ref.oh * ref.ow)
            try x.withUnsafeBufferPointer { xp in
                try y.withUnsafeMutableBufferPointer { yp in
                    try conv.run(xp.baseAddress!, height: c.h, width: c.w, strideY: c.sy, strideX: c.sx, padding: c.pad, into: yp.baseAddress!)
                }
            }
            var worst: Float = 0
            for i in y.indices {
                let expected = program.reference(ref.y[i], channel: i / (ref.oh * ref.ow))
                worst = max(worst, abs(y[i] - expected))
            }
            #expect(worst < 1e-4, "\(c) fused \(fused) simd \(simd): max |Δ| \(worst)")
        }
    }

    /// A batch runs as one job (blocks of every image shared out) and equals image-by-image runs.
    @Test func batchEqualsSingleImages() throws {
        var rng = SplitMix(seed: 5)
        func random(_ n: Int) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 } }
        let (b, ci, co, h, w) = (3, 6, 20, 5, 37)
        let x = random(b * ci * h * w)
        let conv = PackedConvolution(weight: random(co * ci * 9), bias: random(co), outChannels: co, inChannels: ci, kernelHeight: 3, kernelWidth: 3,
                                     program: PointwiseProgram([.hardSwish]))
        let pad = Convolution.Padding(top: 1, left: 1, bottom: 1, right: 1)
        var together = [Float](repeating: .nan, count: b * co * h * w), apart = together
        try x.withUnsafeBufferPointer { xp in
            try together.withUnsafeMutableBufferPointer {
                try conv.run(xp.baseAddress!, batch: b, height: h, width: w, strideY: 1, strideX: 1, padding: pad, into: $0.baseAddress!)
            }
            try apart.withUnsafeMutableBufferPointer { yp in
                for i in 0..<b {
                    try conv.run(xp.baseAddress! + i * ci * h * w, height: h, width: w, strideY: 1, strideX: 1, padding: pad,
                                 into: yp.baseAddress! + i * co * h * w)
                }
            }
        }
        #expect(together == apart)
    }

    @Test(arguments: [true, false])
    func pointwiseMatchesReference(simd: Bool) {
        var rng = SplitMix(seed: 99)
        let (batch, channels, inner) = (2, 5, 1000)
        let x = (0..<(batch * channels * inner)).map { _ in Float(Int(rng.next() % 4001) - 2000) / 300 }
        var program = Self.program(channels: channels, &rng)
        program.append(.sigmoid)
        KernelPool.setSIMD(simd)
        defer { KernelPool.setSIMD(true) }
        var y = x
        y.withUnsafeMutableBufferPointer { program.apply(to: $0.baseAddress!, batch: batch, channels: channels, inner: inner) }
        let worst = y.indices.map { abs(y[$0] - program.reference(x[$0], channel: ($0 / inner) % channels)) }.max()!
        #expect(worst < 1e-5, "max |Δ| \(worst)")
    }

    @Test func decomposedHardSwishBecomesOneOp() {
        let p = PointwiseProgram([.gateBegin, .affine(scale: [1], shift: [3]), .clip(low: 0, high: 6), .gateEnd, .affine(scale: [1.0 / 6], shift: [0.5])])
        #expect(p.ops == [.hardSwish, .affine(scale: [1], shift: [0.5])])
        for v: Float in [-4, -1, 0, 0.7, 2.5, 5] { #expect(abs(p.reference(v, channel: 0) - (v * min(max(v + 3, 0), 6) / 6 + 0.5)) < 1e-6) }
    }

    @Test func consecutiveAffineMapsMerge() {
        var p = PointwiseProgram([.affine(scale: [2], shift: [1])])
        p.append(.affine(scale: [3, 4], shift: [0.5, -1]))
        #expect(p.ops == [.affine(scale: [6, 8], shift: [3.5, 3])])
        #expect(p.reference(1, channel: 1) == 4 * (2 * 1 + 1) - 1)
    }
}
