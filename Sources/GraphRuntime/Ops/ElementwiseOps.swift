import Foundation
import Tensor

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

    /// `a ∘ b` with broadcasting. When `a` already has the result's shape its storage is reused (in place if
    /// the caller handed over the only reference).
    public static func binary(_ kind: Operator.BinaryKind, _ a: consuming GraphTensor, _ b: GraphTensor, node: String) throws -> GraphTensor {
        guard let shape = broadcastShape(a.shape, b.shape) else {
            throw GraphRuntimeError.shapeMismatch(op: "\(kind)", node: node, reason: "shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        switch kind {
        case .add: return apply(a, b, shape) { $0 + $1 }
        case .sub: return apply(a, b, shape) { $0 - $1 }
        case .mul: return apply(a, b, shape) { $0 * $1 }
        case .div: return apply(a, b, shape) { $0 / $1 }
        case .pow: return apply(a, b, shape) { $1 == 2 ? $0 * $0 : powf($0, $1) }
        case .prelu: return apply(a, b, shape) { $0 >= 0 ? $0 : $0 * $1 }
        }
    }

    /// The broadcast loop, specialised per operation (the closure is inlined into each instance). When `a`
    /// already has the result's shape the result goes into a's own storage (element i depends only on a[i]
    /// and b, so in place is safe); otherwise into a new tensor.
    @inline(__always)
    static func apply(_ a: consuming GraphTensor, _ b: GraphTensor, _ shape: [Int], _ f: (Float, Float) -> Float) -> GraphTensor {
        if a.shape == shape {
            var out = a
            out.data.withUnsafeMutableBufferPointer { op in
                b.data.withUnsafeBufferPointer { bp in loop(UnsafeBufferPointer(op), shape, bp, b.shape, op, shape, f) }
            }
            return out
        }
        var out = GraphTensor(uninitializedShape: shape)
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                out.data.withUnsafeMutableBufferPointer { op in loop(ap, a.shape, bp, b.shape, op, shape, f) }
            }
        }
        return out
    }

    /// `op = f(a, b)` over `shape`: runs of the innermost dimensions with fixed strides (1 or 0) on each side.
    /// `ap` may be `op` itself (in place).
    @inline(__always)
    static func loop(_ ap: UnsafeBufferPointer<Float>, _ aShape: [Int], _ bp: UnsafeBufferPointer<Float>, _ bShape: [Int],
                     _ op: UnsafeMutableBufferPointer<Float>, _ shape: [Int], _ f: (Float, Float) -> Float) {
        let rank = shape.count
        if aShape == bShape {
            for i in 0..<op.count { op[i] = f(ap[i], bp[i]) }
            return
        }
        if bp.count == 1 {
            let v = bp[0]
            for i in 0..<op.count { op[i] = f(ap[i], v) }
            return
        }
        if ap.count == 1 {
            let v = ap[0]
            for i in 0..<op.count { op[i] = f(v, bp[i]) }
            return
        }
        // Merge trailing dimensions in which both operands are contiguous or both broadcast.
        let sa = broadcastStrides(aShape, to: shape), sb = broadcastStrides(bShape, to: shape)
        var inner = 1, d = rank - 1
        let innerA = rank > 0 ? (sa[rank - 1] == 0 ? 0 : 1) : 0, innerB = rank > 0 ? (sb[rank - 1] == 0 ? 0 : 1) : 0
        while d >= 0, (sa[d] == 0) == (innerA == 0), (sb[d] == 0) == (innerB == 0) {
            inner *= shape[d]
            d -= 1
        }
        let outerRank = d + 1
        var index = [Int](repeating: 0, count: max(outerRank, 1))
        var o = 0
        while o < op.count {
            var offA = 0, offB = 0
            for k in 0..<outerRank { offA += index[k] * sa[k]; offB += index[k] * sb[k] }
            if innerA == 1, innerB == 1 {
                for j in 0..<inner { op[o + j] = f(ap[offA + j], bp[offB + j]) }
            } else if innerA == 1 {
                let v = bp[offB]
                for j in 0..<inner { op[o + j] = f(ap[offA + j], v) }
            } else if innerB == 1 {
                let v = ap[offA]
                for j in 0..<inner { op[o + j] = f(v, bp[offB + j]) }
            } else {
                let v = f(ap[offA], bp[offB])
                for j in 0..<inner { op[o + j] = v }
            }
            o += inner
            IndexCounter.advance(&index, in: shape, rank: outerRank)
        }
    }

    public static func unary(_ kind: Operator.UnaryKind, _ x: consuming GraphTensor) -> GraphTensor {
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
