import CKernels
import Tensor

/// Pooling operators.
public enum PoolingOps {
    /// `[N, C, H, W] → [N, C, 1, 1]`.
    public static func globalAverage(_ x: GraphTensor, node: String) throws -> GraphTensor {
        guard x.shape.count == 4 else { throw GraphRuntimeError.shapeMismatch(op: "GlobalAveragePool", node: node, reason: "input \(x.shape)") }
        let (n, c, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var y = GraphTensor(shape: [n, c, 1, 1])
        guard hw > 0 else { return y }
        x.data.withUnsafeBufferPointer { xp in
            y.data.withUnsafeMutableBufferPointer { lk_plane_means(KernelPool.shared.raw, xp.baseAddress!, Int64(n * c), Int64(hw), $0.baseAddress!) }
        }
        return y
    }
}

extension PoolingOps {
    /// Average or max pooling over windows of `[N, C, H, W]` (floor output size).
    public static func pool(_ x: GraphTensor, kernel k: [Int], strides s: [Int], pads p: [Int], max isMax: Bool, countIncludePad: Bool,
                            node: String) throws -> GraphTensor {
        guard x.shape.count == 4, k.count == 2, s.count == 2, p.count == 4, k.allSatisfy({ $0 > 0 }), s.allSatisfy({ $0 > 0 }) else {
            throw GraphRuntimeError.shapeMismatch(op: isMax ? "MaxPool" : "AveragePool", node: node, reason: "input \(x.shape), kernel \(k)")
        }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + p[0] + p[2] - k[0]) / s[0] + 1, ow = (w + p[1] + p[3] - k[1]) / s[1] + 1
        guard oh > 0, ow > 0 else { throw GraphRuntimeError.shapeMismatch(op: "Pool", node: node, reason: "output would be empty") }
        var y = GraphTensor(shape: [n, c, oh, ow])
        for plane in 0..<(n * c) {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var acc: Float = isMax ? -.infinity : 0
                    var count = 0
                    for ky in 0..<k[0] {
                        let iy = oy * s[0] + ky - p[0]
                        guard iy >= 0, iy < h else { continue }
                        for kx in 0..<k[1] {
                            let ix = ox * s[1] + kx - p[1]
                            guard ix >= 0, ix < w else { continue }
                            let v = x.data[(plane * h + iy) * w + ix]
                            acc = isMax ? Swift.max(acc, v) : acc + v
                            count += 1
                        }
                    }
                    y.data[(plane * oh + oy) * ow + ox] = isMax ? acc : acc / Float(countIncludePad ? k[0] * k[1] : Swift.max(count, 1))
                }
            }
        }
        return y
    }
}
