import Foundation

/// Elementwise operators: binary with NumPy broadcasting, and unary activations.
public enum ElementwiseOps {
    /// The broadcast shape of two shapes, or nil if they are incompatible.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a, pb = [Int](repeating: 1, count: rank - b.count) + b
        var out: [Int] = []
        for (x, y) in zip(pa, pb) {
            guard x == y || x == 1 || y == 1 else { return nil }
            out.append(max(x, y))
        }
        return out
    }

    /// Strides of `shape` seen through `out` (0 along broadcast dimensions).
    public static func broadcastStrides(_ shape: [Int], to out: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: out.count - shape.count) + shape
        var strides = [Int](repeating: 0, count: out.count)
        var s = 1
        for d in stride(from: out.count - 1, through: 0, by: -1) {
            strides[d] = padded[d] == 1 ? 0 : s
            s *= padded[d]
        }
        return strides
    }

    public static func binary(_ kind: Operator.BinaryKind, _ a: GraphTensor, _ b: GraphTensor, node: String) throws -> GraphTensor {
        guard let shape = broadcastShape(a.shape, b.shape) else {
            throw GraphRuntimeError.shapeMismatch(op: "\(kind)", node: node, reason: "shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let f: (Float, Float) -> Float
        switch kind {
        case .add: f = (+)
        case .sub: f = (-)
        case .mul: f = (*)
        case .div: f = (/)
        case .pow: f = { powf($0, $1) }
        case .prelu: f = { $0 >= 0 ? $0 : $0 * $1 }
        }
        var out = GraphTensor(shape: shape)
        if a.shape == b.shape {
            for i in out.data.indices { out.data[i] = f(a.data[i], b.data[i]) }
            return out
        }
        let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
        let rank = shape.count
        guard rank > 0 else { out.data[0] = f(a.data[0], b.data[0]); return out }
        let inner = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var o = 0
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                out.data.withUnsafeMutableBufferPointer { op in
                    while o < op.count {
                        var offA = 0, offB = 0
                        for d in 0..<(rank - 1) { offA += index[d] * sa[d]; offB += index[d] * sb[d] }
                        for j in 0..<inner { op[o + j] = f(ap[offA + j * ia], bp[offB + j * ib]) }
                        o += inner
                        var d = rank - 2
                        while d >= 0 {
                            index[d] += 1
                            if index[d] < shape[d] { break }
                            index[d] = 0
                            d -= 1
                        }
                    }
                }
            }
        }
        return out
    }

    public static func unary(_ kind: Operator.UnaryKind, _ x: GraphTensor) -> GraphTensor {
        var y = x
        switch kind {
        case .identity: break
        case .relu: for i in y.data.indices { y.data[i] = max(y.data[i], 0) }
        case .sigmoid: for i in y.data.indices { y.data[i] = 1 / (1 + expf(-y.data[i])) }
        case .sqrt: for i in y.data.indices { y.data[i] = y.data[i].squareRoot() }
        case let .hardSigmoid(alpha, beta): for i in y.data.indices { y.data[i] = min(max(alpha * y.data[i] + beta, 0), 1) }
        case .hardSwish: for i in y.data.indices { y.data[i] *= min(max(y.data[i] / 6 + 0.5, 0), 1) }
        }
        return y
    }
}
