import Foundation

/// An exclusive lock on a store folder (flock on `<root>/.lock`), so two pulls never write the
/// same files. Waits when another process holds it.
final class StoreLock {
    private var fd: Int32

    init(root: URL) throws {
        let path = root.appendingPathComponent(".lock").path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ModelStoreError.io(path: path, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            FileHandle.standardError.write(Data("another `loupe models pull` holds \(path); waiting for it…\n".utf8))
            guard flock(fd, LOCK_EX) == 0 else {
                let reason = String(cString: strerror(errno))
                Foundation.close(fd)
                throw ModelStoreError.io(path: path, reason: "cannot lock: \(reason)")
            }
        }
    }

    func release() {
        if fd >= 0 { flock(fd, LOCK_UN); Foundation.close(fd); fd = -1 }
    }

    deinit { release() }
}
