import Foundation

/// Sentence embeddings kept between runs, so the plan classifier's corpus is embedded once: one append-only
/// file per embedder (`NAME.emb`: "LPEC", version, dimension, then records of a 64-bit FNV-1a key of the text
/// and its floats). A damaged or foreign file is ignored and rewritten; a trailing partial record is dropped.
public final class EmbeddingCache: @unchecked Sendable {
    public let file: URL?
    public let dimension: Int
    private var table: [UInt64: [Float]] = [:]
    private var pending: [(UInt64, [Float])] = []
    private let lock = NSLock()
    /// Whether the file on disk is well-formed to its end, so new records may be appended to it.
    private var appendable = false
    private static let magic: UInt32 = 0x4345_504C   // "LPEC" little-endian

    /// Opens (or starts) the cache in `file`; nil keeps embeddings in memory only.
    public init(file: URL?, dimension: Int) {
        (self.file, self.dimension) = (file, dimension)
        guard let file, let data = try? Data(contentsOf: file, options: .mappedIfSafe), data.count >= 12 else { return }
        let record = 8 + 4 * dimension
        let ok = data.withUnsafeBytes { raw -> Bool in
            UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)) == Self.magic
                && UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) == 1
                && Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))) == dimension
        }
        guard ok else { return }
        let count = (data.count - 12) / record
        appendable = (data.count - 12) % record == 0
        data.withUnsafeBytes { raw in
            for r in 0..<count {
                let at = 12 + r * record
                let key = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                var v = [Float](repeating: 0, count: dimension)
                for i in 0..<dimension { v[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8 + 4 * i, as: UInt32.self))) }
                if v.allSatisfy(\.isFinite) { table[key] = v }
            }
        }
    }

    /// FNV-1a over the text's UTF-8 bytes.
    public static func key(_ text: String) -> UInt64 {
        text.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }

    /// The embeddings of `texts`, computing (with `embed`) only those not cached; `progress` gets (done, total)
    /// of the computed ones. New embeddings are appended to the file every 200 and at the end, so an interrupted
    /// run keeps most of its work (a write failure only costs time later).
    public func embeddings(_ texts: [String], embed: (String) throws -> [Float], progress: ((Int, Int) -> Void)? = nil) throws -> [[Float]] {
        let missing = lock.withLock { Array(Set(texts.filter { table[Self.key($0)] == nil })) }
        for (i, text) in missing.enumerated() {
            let v = try embed(text)
            guard v.count == dimension else { throw AgentError.planner("the sentence embedder gave \(v.count) values, expected \(dimension)") }
            lock.withLock { table[Self.key(text)] = v; pending.append((Self.key(text), v)) }
            if i % 50 == 49 || i == missing.count - 1 { progress?(i + 1, missing.count) }
            if i % 200 == 199 { save() }
        }
        if !missing.isEmpty { save() }
        return lock.withLock { texts.map { table[Self.key($0)]! } }
    }

    private func save() {
        guard let file else { return }
        lock.withLock {
            guard !pending.isEmpty else { return }
            var data = Data()
            // Appended to a well-formed file; otherwise the whole table is written afresh.
            let records: [(UInt64, [Float])] = appendable ? pending : table.map { ($0.key, $0.value) }
            if !appendable {
                for v: UInt32 in [Self.magic, 1, UInt32(dimension)] { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
            }
            for (key, v) in records {
                withUnsafeBytes(of: key.littleEndian) { data.append(contentsOf: $0) }
                for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            }
            try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            if appendable, let handle = try? FileHandle(forWritingTo: file) {
                _ = try? handle.seekToEnd()
                try? handle.write(contentsOf: data)
                try? handle.close()
            } else {
                appendable = (try? data.write(to: file, options: .atomic)) != nil
            }
            pending.removeAll()
        }
    }
}
