import Tensor

/// MatMul with NumPy semantics: 1-D operands promoted, leading (batch) dimensions broadcast, each
/// matrix product by SGEMM.
public enum MatMulOps {
    public static func matMul(_ a: GraphTensor, _ b: GraphTensor, node: String, blas: BLAS) throws -> GraphTensor {
        var sa = a.shape, sb = b.shape
        let aVector = sa.count == 1, bVector = sb.count == 1
        if aVector { sa = [1] + sa }
        if bVector { sb = sb + [1] }
        guard sa.count >= 2, sb.count >= 2, sa[sa.count - 1] == sb[sb.count - 2] else {
            throw GraphRuntimeError.shapeMismatch(op: "MatMul", node: node, reason: "shapes \(a.shape) and \(b.shape)")
        }
        let m = sa[sa.count - 2], k = sa[sa.count - 1], n = sb[sb.count - 1]
        guard let batch = ElementwiseOps.broadcastShape(Array(sa.dropLast(2)), Array(sb.dropLast(2))) else {
            throw GraphRuntimeError.shapeMismatch(op: "MatMul", node: node, reason: "batch dimensions of \(a.shape) and \(b.shape)")
        }
        let batchCount = batch.reduce(1, *)
        let stridesA = ElementwiseOps.broadcastStrides(Array(sa.dropLast(2)), to: batch)
        let stridesB = ElementwiseOps.broadcastStrides(Array(sb.dropLast(2)), to: batch)
        var out = [Float](repeating: 0, count: batchCount * m * n)
        var index = [Int](repeating: 0, count: batch.count)
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { op in
                    for i in 0..<batchCount {
                        var offA = 0, offB = 0
                        for d in 0..<batch.count { offA += index[d] * stridesA[d]; offB += index[d] * stridesB[d] }
                        blas.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress! + offA * m * k, lda: k,
                                   b: bp.baseAddress! + offB * k * n, ldb: n, beta: 0, c: op.baseAddress! + i * m * n, ldc: n)
                        IndexCounter.advance(&index, in: batch)
                    }
                }
            }
        }
        var shape = batch + [m, n]
        if aVector { shape.remove(at: shape.count - 2) }
        if bVector { shape.removeLast() }
        return GraphTensor(shape: shape, data: out)
    }
}
