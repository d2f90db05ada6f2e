/// Keys and values of every layer for the positions computed so far, float32, `[capacity, kvWidth]` per
/// layer. Grows by doubling up to the model's context window, so short sessions stay small.
public final class KVCache: @unchecked Sendable {
    let layers: Int
    let width: Int
    /// Largest number of positions allowed.
    public let limit: Int
    /// Positions the buffers hold now.
    public private(set) var capacity: Int
    /// Positions filled (the next token goes at `count`).
    public internal(set) var count: Int = 0
    private(set) var keys: [UnsafeMutablePointer<Float>]
    private(set) var values: [UnsafeMutablePointer<Float>]

    init(layers: Int, width: Int, limit: Int, initialCapacity: Int = 256) {
        self.layers = layers
        self.width = width
        self.limit = limit
        capacity = min(max(16, initialCapacity), limit)
        keys = (0..<layers).map { _ in .allocate(capacity: min(max(16, initialCapacity), limit) * width) }
        values = (0..<layers).map { _ in .allocate(capacity: min(max(16, initialCapacity), limit) * width) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Makes room for `positions` positions in all.
    func reserve(_ positions: Int) throws {
        guard positions <= limit else { throw LLMError.contextFull(needed: positions, limit: limit) }
        guard positions > capacity else { return }
        var newCapacity = capacity
        while newCapacity < positions { newCapacity *= 2 }
        newCapacity = min(newCapacity, limit)
        for l in 0..<layers {
            let k = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity * width)
            let v = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity * width)
            k.update(from: keys[l], count: count * width)
            v.update(from: values[l], count: count * width)
            keys[l].deallocate()
            values[l].deallocate()
            keys[l] = k
            values[l] = v
        }
        capacity = newCapacity
    }

    /// Forgets positions from `length` on.
    public func truncate(to length: Int) { count = min(count, max(0, length)) }

    /// Bytes in use by the buffers.
    public var bytes: Int { 2 * layers * capacity * width * 4 }
}
