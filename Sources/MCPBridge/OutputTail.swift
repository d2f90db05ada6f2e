import Foundation

/// The last few hundred bytes a plugin wrote to stderr, for error messages.
final class OutputTail: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    func append(_ data: Data) {
        lock.withLock {
            bytes += data
            if bytes.count > 600 { bytes.removeFirst(bytes.count - 600) }
        }
    }
    var text: String {
        lock.withLock { String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
