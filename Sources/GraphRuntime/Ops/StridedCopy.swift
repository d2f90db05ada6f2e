import Tensor

/// Copies a strided view of a tensor into dense row-major storage, a row of the innermost dimension at a
/// time (one index step per row, not per value): `dst[i₀…iₖ] = src[Σ i_d·strides[d]]`. Transpose and
/// Slice are views of this kind.
enum StridedCopy {
    static func gather(_ src: UnsafePointer<Float>, strides: [Int], shape: [Int], into dst: UnsafeMutablePointer<Float>) {
        let rank = shape.count
        guard rank > 0 else {
            dst[0] = src[0]
            return
        }
        let inner = shape[rank - 1], innerStride = strides[rank - 1]
        let rows = shape.dropLast().reduce(1, *)
        guard inner > 0, rows > 0 else { return }
        var index = [Int](repeating: 0, count: rank)
        var o = 0
        for _ in 0..<rows {
            var offset = 0
            for d in 0..<(rank - 1) { offset += index[d] * strides[d] }
            let s = src + offset
            if innerStride == 1 {
                (dst + o).update(from: s, count: inner)
            } else {
                for j in 0..<inner { dst[o + j] = s[j * innerStride] }
            }
            o += inner
            IndexCounter.advance(&index, in: shape, rank: rank - 1)
        }
    }
}
