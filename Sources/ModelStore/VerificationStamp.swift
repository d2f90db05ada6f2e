import Foundation

/// A model folder's record of which files were hashed and found correct, and in what state
/// (size, mtime, inode) they were then. Any change to a file makes its entry stale.
struct VerificationStamp: Codable {
    struct Entry: Codable {
        let sha256: String
        let identity: FileIdentity
    }

    private(set) var files: [String: Entry] = [:]

    static func load(from url: URL) -> VerificationStamp {
        guard let data = try? Data(contentsOf: url),
              let stamp = try? JSONDecoder().decode(VerificationStamp.self, from: data) else { return VerificationStamp() }
        return stamp
    }

    func matches(file: String, sha256: String, identity: FileIdentity) -> Bool {
        guard let entry = files[file] else { return false }
        return entry.sha256 == sha256 && entry.identity == identity
    }

    mutating func record(file: String, sha256: String, identity: FileIdentity) {
        files[file] = Entry(sha256: sha256, identity: identity)
    }

    mutating func remove(file: String) { files[file] = nil }

    /// Writes atomically (temporary file, then rename).
    func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}
