import Foundation

/// A file being written: created exclusively, written fully, synced before it is renamed into place.
final class OutputFile {
    let path: String
    private var fd: Int32

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ModelStoreError.io(path: path, reason: String(cString: strerror(errno))) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ModelStoreError.io(path: path, reason: "write failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    func sync() throws {
        guard fsync(fd) == 0 else {
            throw ModelStoreError.io(path: path, reason: "fsync failed: \(String(cString: strerror(errno)))")
        }
    }

    func close() {
        if fd >= 0 { _ = Foundation.close(fd); fd = -1 }
    }

    deinit { close() }
}
