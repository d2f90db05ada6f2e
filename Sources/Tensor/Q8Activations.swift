import CKernels

/// A vector of activations quantized to 8 bits in blocks of 32 (`lk_block_q8`: scale, scaled sum,
/// 32 int8), the form the quantized dot products take. Reused across calls; never reallocated in the hot path.
public final class Q8Activations: @unchecked Sendable {
    /// Blocks of 32 values: `[capacity / 32]`.
    public let blocks: UnsafeMutablePointer<lk_block_q8>
    /// Largest number of values this buffer holds.
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = (capacity + 31) / 32 * 32
        blocks = .allocate(capacity: max(1, self.capacity / 32))
    }

    deinit { blocks.deallocate() }

    /// Quantizes `count` values (a multiple of 32, at most `capacity`) from `x`.
    public func quantize(_ x: UnsafePointer<Float>, count: Int) {
        precondition(count % 32 == 0 && count <= capacity, "Q8Activations: \(count) values do not fit")
        lk_quantize_q8(x, blocks, Int64(count))
    }
}
