import Tensor
import TestSupport
import Testing

/// Convolutions against a naive six-loop reference, with SAME padding, strides and 1×1 kernels.
@Suite struct ConvolutionTests {
    static func naive(_ x: [Float], ci: Int, h: Int, w: Int, weight: [Float], bias: [Float], co: Int, k: Int, s: Int,
                      p: Convolution.Padding, depthwise: Bool) -> [Float] {
        let oh = (h + p.top + p.bottom - k) / s + 1, ow = (w + p.left + p.right - k) / s + 1
        var y = [Float](repeating: 0, count: co * oh * ow)
        for o in 0..<co {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum = bias[o]
                    for c in (depthwise ? o..<(o + 1) : 0..<ci) {
                        for ky in 0..<k {
                            for kx in 0..<k {
                                let iy = oy * s + ky - p.top, ix = ox * s + kx - p.left
                                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                let wi = depthwise ? (o * k + ky) * k + kx : ((o * ci + c) * k + ky) * k + kx
                                sum += x[(c * h + iy) * w + ix] * weight[wi]
                            }
                        }
                    }
                    y[(o * oh + oy) * ow + ox] = sum
                }
            }
        }
        return y
    }

    @Test(arguments: [(3, 1), (3, 2), (1, 1), (5, 2), (1, 2)])
    func matchesNaive(k: Int, s: Int) throws {
        var rng = SplitMix(seed: UInt64(k * 10 + s))
        func random(_ n: Int) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 500 } }
        let ci = 5, co = 7, h = 13, w = 10
        let x = random(ci * h * w), bias = random(co)
        let pad = Convolution.Padding.same(height: h, width: w, kernel: k, stride: s)
        #expect(Convolution.outputSize(h, kernel: k, stride: s, before: pad.top, after: pad.bottom) == (h + s - 1) / s)
        let weight = random(co * ci * k * k)
        let (y, _, _) = Convolution.conv2d(x, channels: ci, height: h, width: w, weight: weight, bias: bias, outChannels: co,
                                           kernel: k, stride: s, padding: pad, blas: try BLAS.shared())
        let ref = Self.naive(x, ci: ci, h: h, w: w, weight: weight, bias: bias, co: co, k: k, s: s, p: pad, depthwise: false)
        #expect(zip(y, ref).allSatisfy { abs($0 - $1) < 1e-4 })
        let dwWeight = random(ci * k * k), dwBias = random(ci)
        let (d, _, _) = Convolution.depthwise(x, channels: ci, height: h, width: w, weight: dwWeight, bias: dwBias, kernel: k, stride: s, padding: pad)
        let dref = Self.naive(x, ci: ci, h: h, w: w, weight: dwWeight, bias: dwBias, co: ci, k: k, s: s, p: pad, depthwise: true)
        #expect(zip(d, dref).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    @Test func samePaddingIsAsymmetricLikeTensorFlow() {
        // 224 input, 3×3 stride 2: 0 on top/left, 1 on bottom/right.
        #expect(Convolution.Padding.same(height: 224, width: 224, kernel: 3, stride: 2) == Convolution.Padding(top: 0, left: 0, bottom: 1, right: 1))
        #expect(Convolution.Padding.same(height: 7, width: 7, kernel: 5, stride: 1) == Convolution.Padding(top: 2, left: 2, bottom: 2, right: 2))
    }
}
