import CKernels
import Foundation
import Tensor

/// Resize of the last two dimensions of `[N, C, H, W]`: nearest (floor, round-prefer-floor/ceil) and
/// bilinear, with the asymmetric, half-pixel and align-corners coordinate rules.
public enum ResizeOps {
    public static func resize(_ x: GraphTensor, scales: GraphTensor?, sizes: GraphTensor?, mode: String, coordinates: String, nearestMode: String,
                       node: String) throws -> GraphTensor {
        guard x.shape.count == 4 else { throw GraphRuntimeError.shapeMismatch(op: "Resize", node: node, reason: "input \(x.shape)") }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var oh = h, ow = w, sh: Float = 1, sw: Float = 1
        if let sizes, sizes.count == 4 {
            oh = Int(sizes.data[2]); ow = Int(sizes.data[3])
            sh = Float(oh) / Float(h); sw = Float(ow) / Float(w)
        } else if let scales, scales.count == 4 {
            sh = scales.data[2]; sw = scales.data[3]
            oh = Int((Float(h) * sh).rounded(.down)); ow = Int((Float(w) * sw).rounded(.down))
        } else {
            throw GraphRuntimeError.invalidAttribute(op: "Resize", node: node, reason: "needs 4 scales or 4 sizes")
        }
        guard oh > 0, ow > 0, oh <= 1 << 15, ow <= 1 << 15 else {
            throw GraphRuntimeError.shapeMismatch(op: "Resize", node: node, reason: "output \(oh)×\(ow)")
        }
        func source(_ o: Int, scale: Float, inSize: Int, outSize: Int) -> Float {
            switch coordinates {
            case "asymmetric": return Float(o) / scale
            case "align_corners": return outSize > 1 ? Float(o) * Float(inSize - 1) / Float(outSize - 1) : 0
            default: return (Float(o) + 0.5) / scale - 0.5  // half_pixel, pytorch_half_pixel
            }
        }
        if mode == "nearest" {
            var y = GraphTensor(uninitializedShape: [n, c, oh, ow])
            func pick(_ v: Float, _ size: Int) -> Int {
                let i: Int
                switch nearestMode {
                case "floor": i = Int(v.rounded(.down))
                case "ceil": i = Int(v.rounded(.up))
                case "round_prefer_ceil": i = Int((v + 0.5).rounded(.down))
                default: i = Int((v - 0.5).rounded(.up))  // round_prefer_floor
                }
                return min(max(i, 0), size - 1)
            }
            let ys = (0..<oh).map { Int64(pick(source($0, scale: sh, inSize: h, outSize: oh), h)) }
            let xs = (0..<ow).map { Int64(pick(source($0, scale: sw, inSize: w, outSize: ow), w)) }
            x.data.withUnsafeBufferPointer { xp in
                y.data.withUnsafeMutableBufferPointer { yp in
                    lk_gather_nearest(KernelPool.shared.raw, xp.baseAddress!, Int64(n * c), Int64(h), Int64(w), ys, Int64(oh), xs, Int64(ow), yp.baseAddress!)
                }
            }
            return y
        }
        guard mode == "linear" else { throw GraphRuntimeError.invalidAttribute(op: "Resize", node: node, reason: "mode \(mode)") }
        var y = GraphTensor(shape: [n, c, oh, ow])
        for p in 0..<(n * c) {
            for oy in 0..<oh {
                let fy = min(max(source(oy, scale: sh, inSize: h, outSize: oh), 0), Float(h - 1))
                let y0 = Int(fy), y1 = min(y0 + 1, h - 1), dy = fy - Float(y0)
                for ox in 0..<ow {
                    let fx = min(max(source(ox, scale: sw, inSize: w, outSize: ow), 0), Float(w - 1))
                    let x0 = Int(fx), x1 = min(x0 + 1, w - 1), dx = fx - Float(x0)
                    let base = p * h * w
                    let top = x.data[base + y0 * w + x0] * (1 - dx) + x.data[base + y0 * w + x1] * dx
                    let bottom = x.data[base + y1 * w + x0] * (1 - dx) + x.data[base + y1 * w + x1] * dx
                    y.data[(p * oh + oy) * ow + ox] = top * (1 - dy) + bottom * dy
                }
            }
        }
        return y
    }
}
