import Crypto
import Foundation

/// Streaming SHA-256 of files and byte chunks.
public struct FileHasher {
    private var hasher = SHA256()
    /// Bytes fed so far.
    public private(set) var count: UInt64 = 0

    public init() {}

    /// Feeds one chunk.
    public mutating func update(_ chunk: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: chunk)
        count += UInt64(chunk.count)
    }

    /// The lower-case hex digest of everything fed.
    public func finalize() -> String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 and size of a file, read in 4 MiB chunks; `progress` gets bytes read so far.
    public static func sha256(ofFile path: String, progress: (UInt64) -> Void = { _ in }) throws -> (digest: String, bytes: UInt64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ModelStoreError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let capacity = 4 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = FileHasher()
        while true {
            let got = read(fd, buffer, capacity)
            if got < 0 {
                if errno == EINTR { continue }
                throw ModelStoreError.io(path: path, reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            hasher.update(UnsafeRawBufferPointer(start: buffer, count: got))
            progress(hasher.count)
        }
        return (hasher.finalize(), hasher.count)
    }
}
