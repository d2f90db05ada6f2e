import Tensor

/// A small deterministic random generator for tests: the seeded SplitMix64 generator Loupe itself uses.
public typealias SplitMix = SeededRandom

extension SeededRandom {
    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
