import CKernels
import Foundation
import Tensor

/// Softmax along one axis and ReduceMean.
public enum ReductionOps {
    static func normalize(_ axis: Int, rank: Int, op: String, node: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else { throw GraphRuntimeError.invalidAttribute(op: op, node: node, reason: "axis \(axis) for rank \(rank)") }
        return a
    }

    /// Softmax over `axis` (opset-13 semantics; the same as earlier opsets when `axis` is the last one).
    public static func softmax(_ x: consuming GraphTensor, axis: Int, node: String) throws -> GraphTensor {
        let a = try normalize(axis, rank: x.shape.count, op: "Softmax", node: node)
        let outer = x.shape[..<a].reduce(1, *), n = x.shape[a], inner = x.shape[(a + 1)...].reduce(1, *)
        var y = x
        if inner == 1 {
            y.data.withUnsafeMutableBufferPointer { lk_softmax_rows(KernelPool.shared.raw, $0.baseAddress!, Int64(outer), Int64(n)) }
            return y
        }
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * n * inner + i
                var m = -Float.infinity
                for j in 0..<n { m = max(m, y.data[base + j * inner]) }
                var z: Float = 0
                for j in 0..<n { let e = expf(y.data[base + j * inner] - m); y.data[base + j * inner] = e; z += e }
                for j in 0..<n { y.data[base + j * inner] /= z }
            }
        }
        return y
    }

    /// Mean over `axes` (all when nil), keeping them as size 1 when `keepDims`.
    public static func reduceMean(_ x: GraphTensor, axes: [Int]?, keepDims: Bool, node: String) throws -> GraphTensor {
        let rank = x.shape.count
        let reduced = Set(try (axes ?? Array(0..<rank)).map { try normalize($0, rank: rank, op: "ReduceMean", node: node) })
        var outShape = x.shape
        for a in reduced { outShape[a] = 1 }
        var y = GraphTensor(shape: outShape)
        // The reduced axes are the trailing ones (LayerNorm's case): one mean per contiguous run.
        if !reduced.isEmpty, reduced == Set((rank - reduced.count)..<rank), x.count > 0 {
            let inner = reduced.reduce(1) { $0 * x.shape[$1] }
            x.data.withUnsafeBufferPointer { xp in
                y.data.withUnsafeMutableBufferPointer { lk_plane_means(KernelPool.shared.raw, xp.baseAddress!, Int64(x.count / inner), Int64(inner), $0.baseAddress!) }
            }
            if !keepDims { y.shape = outShape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element) }
            return y
        }
        let outStrides = ElementwiseOps.broadcastStrides(outShape, to: x.shape)
        var index = [Int](repeating: 0, count: rank)
        for v in x.data {
            var o = 0
            for d in 0..<rank { o += index[d] * outStrides[d] }
            y.data[o] += v
            IndexCounter.advance(&index, in: x.shape)
        }
        let count = Float(reduced.reduce(1) { $0 * x.shape[$1] })
        for i in y.data.indices { y.data[i] /= count }
        if !keepDims { y.shape = outShape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element) }
        return y
    }
}
