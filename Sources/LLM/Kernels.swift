import CKernels
import Tensor

/// Thin Swift entry points to the C kernels the transformer calls directly.
enum Kernels {
    /// Single-token grouped-query attention: `q` `[heads, headDim]` over `positions` cached keys/values
    /// (`[positions, kvWidth]`) into `out` `[heads, headDim]`.
    static func attention(pool: KernelPool, q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                          positions: Int, config c: ModelConfig, out: UnsafeMutablePointer<Float>,
                          scratch: UnsafeMutablePointer<Float>) {
        lk_attention_decode(pool.raw, q, keys, values, Int64(positions), Int32(c.heads), Int32(c.kvHeads),
                            Int32(c.headDim), 1 / Float(c.headDim).squareRoot(), out, scratch)
    }
}
