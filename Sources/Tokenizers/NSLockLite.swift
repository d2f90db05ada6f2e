import Foundation

/// A mutex for small critical sections (the tokenizer's word cache).
final class NSLockLite: @unchecked Sendable {
    private let lock = NSLock()
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
