/// Steps a multi-dimensional index through a shape in row-major order (last dimension fastest), the
/// walk shared by every strided copy, broadcast and reduction loop.
public enum IndexCounter {
    /// Advances `index` by one position within `shape` over its first `rank` dimensions (all by default);
    /// wraps to all zeros after the last position.
    @inline(__always)
    public static func advance(_ index: inout [Int], in shape: [Int], rank: Int? = nil) {
        var d = (rank ?? shape.count) - 1
        while d >= 0 {
            index[d] += 1
            if index[d] < shape[d] { return }
            index[d] = 0
            d -= 1
        }
    }
}
