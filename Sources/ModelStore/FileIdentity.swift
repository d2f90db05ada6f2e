import Foundation

/// Size, modification time and inode of a regular file: enough to notice that it changed.
public struct FileIdentity: Codable, Sendable, Equatable {
    public let bytes: UInt64
    public let modifiedNanoseconds: Int64
    public let inode: UInt64

    /// Nil when the path does not exist or is not a regular file.
    public init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        bytes = UInt64(st.st_size)
        modifiedNanoseconds = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        inode = UInt64(st.st_ino)
    }
}
