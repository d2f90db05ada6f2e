import CKernels
import Foundation

/// 2-D convolutions on single images in channel-major layout (`[C, H, W]`): general convolution by
/// im2col + SGEMM (1×1 convolutions skip the im2col), and depthwise convolution by a direct loop.
public enum Convolution {
    /// Padding in pixels on each side.
    public struct Padding: Sendable, Equatable {
        public var top, left, bottom, right: Int
        public init(top: Int, left: Int, bottom: Int, right: Int) {
            (self.top, self.left, self.bottom, self.right) = (top, left, bottom, right)
        }

        /// TensorFlow "SAME": output = ceil(input / stride); the odd pixel of padding goes bottom/right.
        public static func same(height: Int, width: Int, kernel: Int, stride: Int) -> Padding {
            func split(_ n: Int) -> (Int, Int) {
                let out = (n + stride - 1) / stride
                let total = max((out - 1) * stride + kernel - n, 0)
                return (total / 2, total - total / 2)
            }
            let (t, b) = split(height), (l, r) = split(width)
            return Padding(top: t, left: l, bottom: b, right: r)
        }

        public static let zero = Padding(top: 0, left: 0, bottom: 0, right: 0)
    }

    /// Output size of a convolution.
    public static func outputSize(_ n: Int, kernel: Int, stride: Int, before: Int, after: Int) -> Int {
        (n + before + after - kernel) / stride + 1
    }

    /// `y[co] = Σ w[co, ci, ky, kx] · x[ci, …] + bias[co]`. `weight` is `[co, ci, k, k]`.
    /// Returns `[co, oh, ow]` and the output size.
    public static func conv2d(_ x: [Float], channels ci: Int, height h: Int, width w: Int, weight: [Float], bias: [Float]?,
                              outChannels co: Int, kernel k: Int, stride s: Int, padding p: Padding,
                              blas: BLAS) -> (output: [Float], height: Int, width: Int) {
        conv2d(x, channels: ci, height: h, width: w, weight: weight, bias: bias, outChannels: co, kernelHeight: k, kernelWidth: k,
               strideY: s, strideX: s, padding: p, blas: blas)
    }

    /// `conv2d` with a rectangular kernel `[co, ci, kh, kw]` and separate vertical/horizontal strides.
    public static func conv2d(_ x: [Float], channels ci: Int, height h: Int, width w: Int, weight: [Float], bias: [Float]?,
                              outChannels co: Int, kernelHeight kh: Int, kernelWidth kw: Int, strideY sy: Int, strideX sx: Int,
                              padding p: Padding, blas: BLAS) -> (output: [Float], height: Int, width: Int) {
        let oh = outputSize(h, kernel: kh, stride: sy, before: p.top, after: p.bottom)
        let ow = outputSize(w, kernel: kw, stride: sx, before: p.left, after: p.right)
        precondition(weight.count == co * ci * kh * kw && x.count == ci * h * w && oh > 0 && ow > 0, "conv2d: shapes do not match")
        var y = [Float](repeating: 0, count: co * oh * ow)
        if let bias {
            for c in 0..<co { for i in 0..<(oh * ow) { y[c * oh * ow + i] = bias[c] } }
        }
        let columns: [Float]
        if kh == 1, kw == 1, sy == 1, sx == 1, p == .zero {
            columns = x
        } else {
            // im2col: [ci·kh·kw, oh·ow], rows filled in parallel.
            var cols = [Float](repeating: 0, count: ci * kh * kw * oh * ow)
            x.withUnsafeBufferPointer { xp in
                cols.withUnsafeMutableBufferPointer { cp in
                    let xs = Shared(xp.baseAddress!), cs = Shared(cp.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: ci * kh * kw) { row in
                        let xb = xs.value, cb = cs.value
                        let c = row / (kh * kw), ky = (row / kw) % kh, kx = row % kw
                        let dst = cb + row * oh * ow
                        // Output columns whose input column lies inside the image.
                        let oxFirst = max(0, (p.left - kx + sx - 1) / sx), oxEnd = min(ow, (w - 1 + p.left - kx) / sx + 1)
                        for oy in 0..<oh {
                            let iy = oy * sy + ky - p.top
                            guard iy >= 0, iy < h, oxFirst < oxEnd else { continue }
                            let src = xb + (c * h + iy) * w + kx - p.left
                            let out = dst + oy * ow
                            if sx == 1 {
                                (out + oxFirst).update(from: src + oxFirst, count: oxEnd - oxFirst)
                            } else {
                                for ox in oxFirst..<oxEnd { out[ox] = src[ox * sx] }
                            }
                        }
                    }
                }
            }
            columns = cols
        }
        let kk = ci * kh * kw, n = oh * ow
        weight.withUnsafeBufferPointer { wp in
            columns.withUnsafeBufferPointer { cp in
                y.withUnsafeMutableBufferPointer { yp in
                    blas.sgemm(transA: false, transB: false, m: co, n: n, k: kk, alpha: 1, a: wp.baseAddress!, lda: kk,
                               b: cp.baseAddress!, ldb: n, beta: bias == nil ? 0 : 1, c: yp.baseAddress!, ldc: n)
                }
            }
        }
        return (y, oh, ow)
    }

    /// Depthwise convolution (one k×k filter per channel). `weight` is `[c, k, k]`.
    public static func depthwise(_ x: [Float], channels c: Int, height h: Int, width w: Int, weight: [Float], bias: [Float]?,
                                 kernel k: Int, stride s: Int, padding p: Padding) -> (output: [Float], height: Int, width: Int) {
        depthwise(x, channels: c, height: h, width: w, weight: weight, bias: bias, kernelHeight: k, kernelWidth: k, strideY: s, strideX: s,
                  padding: p)
    }

    /// Depthwise convolution with a rectangular kernel `[c, kh, kw]` and separate strides.
    public static func depthwise(_ x: [Float], channels c: Int, height h: Int, width w: Int, weight: [Float], bias: [Float]?,
                                 kernelHeight kh: Int, kernelWidth kw: Int, strideY sy: Int, strideX sx: Int,
                                 padding p: Padding) -> (output: [Float], height: Int, width: Int) {
        let oh = outputSize(h, kernel: kh, stride: sy, before: p.top, after: p.bottom)
        let ow = outputSize(w, kernel: kw, stride: sx, before: p.left, after: p.right)
        precondition(weight.count == c * kh * kw && x.count == c * h * w && oh > 0 && ow > 0, "depthwise: shapes do not match")
        var y = [Float](repeating: 0, count: c * oh * ow)
        x.withUnsafeBufferPointer { xp in
            weight.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    let out = yp.baseAddress
                    func run(_ b: UnsafePointer<Float>?) {
                        lk_depthwise_conv(KernelPool.shared.raw, xp.baseAddress, Int64(c), Int64(h), Int64(w), wp.baseAddress, b,
                                          Int32(kh), Int32(kw), Int32(sy), Int32(sx), Int32(p.top), Int32(p.left), Int64(oh), Int64(ow), out)
                    }
                    if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
                }
            }
        }
        return (y, oh, ow)
    }
}

/// A pointer handed to parallel workers that write disjoint parts of one buffer.
struct Shared<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
