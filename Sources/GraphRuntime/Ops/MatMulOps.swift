import CKernels
import Tensor

/// MatMul with NumPy semantics: 1-D operands promoted, leading (batch) dimensions broadcast, each
/// matrix product on Loupe's own kernel pool (`lk_matmul`), so that vision graphs never wake OpenBLAS's
/// threads (which then spin, competing with the pool for the two cores).
public enum MatMulOps {
    public static func matMul(_ a: GraphTensor, _ b: GraphTensor, node: String) throws -> GraphTensor {
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
        var out = [Float](unsafeUninitializedCapacity: batchCount * m * n) { _, count in count = batchCount * m * n }  // lk_matmul writes every value
        var index = [Int](repeating: 0, count: batch.count)
        var status: Int32 = 0
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { op in
                    for i in 0..<batchCount where status == 0 {
                        var offA = 0, offB = 0
                        for d in 0..<batch.count { offA += index[d] * stridesA[d]; offB += index[d] * stridesB[d] }
                        status = lk_matmul(KernelPool.shared.raw, ap.baseAddress! + offA * m * k, bp.baseAddress! + offB * k * n,
                                           op.baseAddress! + i * m * n, Int64(m), Int64(k), Int64(n))
                        IndexCounter.advance(&index, in: batch)
                    }
                }
            }
        }
        if status != 0 { throw GraphRuntimeError.shapeMismatch(op: "MatMul", node: node, reason: "out of memory packing a \(m)×\(k) operand") }
        var shape = batch + [m, n]
        if aVector { shape.remove(at: shape.count - 2) }
        if bVector { shape.removeLast() }
        return GraphTensor(shape: shape, data: out)
    }
}
