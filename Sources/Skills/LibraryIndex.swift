import Crypto
import Database
import Foundation
import Perception
import SkillKit
import Vision

/// The user's image library in SQLite, for `retrieve`: per image its path, size, modification time and
/// SHA-256, EfficientNet-Lite0 feature and top labels, OCR text (also in an FTS5 table) and a MiniLM embedding
/// of labels + text. Re-indexing skips files whose size and time (or, failing that, hash) are unchanged;
/// files that disappeared drop out. Each image is committed in its own transaction.
public final class LibraryIndex: @unchecked Sendable {
    public struct Report: Sendable, Equatable {
        public var added = 0, updated = 0, unchanged = 0, removed = 0
        /// Images run through the networks (0 on a re-index of an unchanged folder).
        public var analysed = 0
        public var failed: [String] = []
    }

    public struct Hit: Sendable {
        public let path: String
        public let score: Double
        /// Why it matched: similarity, matching labels, matching text.
        public let why: String
    }

    let db: Database
    let models: PerceptionModels
    /// How a text query's score is made (`skills/retrieve/search.json`).
    public let weights: SearchWeights
    private let lock = NSLock()

    public init(path: String, models: PerceptionModels, weights: SearchWeights = SearchWeights()) throws {
        db = try Database(path: path)
        self.models = models
        self.weights = weights
        try db.execute("""
            CREATE TABLE IF NOT EXISTS images(id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, size INTEGER NOT NULL,
              mtime REAL NOT NULL, sha256 TEXT NOT NULL, width INTEGER, height INTEGER, labels TEXT NOT NULL, text TEXT NOT NULL,
              feature BLOB NOT NULL, embedding BLOB NOT NULL);
            CREATE VIRTUAL TABLE IF NOT EXISTS images_fts USING fts5(labels, text);
            """)
    }

    static let extensions: Set<String> = ["png", "jpg", "jpeg"]
    /// Words too common to count as a text match.
    static let stopWords: Set<String> = ["the", "an", "of", "in", "on", "at", "and", "or", "with", "my", "me", "is", "are", "to", "for",
                                         "photo", "photos", "picture", "pictures", "image", "images", "some", "any", "that", "this", "from", "find", "show"]

    /// Indexes every PNG/JPEG under `directory` (recursively). `progress(done, total, path)` after each file.
    public func add(directory: URL, progress: (Int, Int, String) -> Void = { _, _, _ in }) throws -> Report {
        lock.lock()
        defer { lock.unlock() }
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw SkillError.failed(skill: "index", reason: "\(directory.path) is not a folder")
        }
        var files: [URL] = []
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker where Self.extensions.contains(url.pathExtension.lowercased()) { files.append(url.standardizedFileURL) }
        }
        files.sort { $0.path < $1.path }
        var report = Report()
        for (i, url) in files.enumerated() {
            defer { progress(i + 1, files.count, url.path) }
            do { try index(url, &report) } catch { report.failed.append("\(url.path): \(error)") }
        }
        // Files under the folder that are gone.
        let present = Set(files.map(\.path))
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for row in try db.query("SELECT id, path FROM images WHERE substr(path, 1, ?) = ?", [.integer(Int64(prefix.count)), .text(prefix)]) {
            guard let id = row[0].int, let path = row[1].string, !present.contains(path) else { continue }
            try db.transaction {
                _ = try db.query("DELETE FROM images WHERE id = ?", [.integer(id)])
                _ = try db.query("DELETE FROM images_fts WHERE rowid = ?", [.integer(id)])
            }
            report.removed += 1
        }
        return report
    }

    private func index(_ url: URL, _ report: inout Report) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let existing = try db.query("SELECT id, size, mtime, sha256 FROM images WHERE path = ?", [.text(url.path)]).first
        if let e = existing, e[1].int == size, e[2].double == mtime {
            report.unchanged += 1
            return
        }
        let bytes = try ImageDecoder.readFile(url.path)
        let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        if let e = existing, e[3].string == sha {
            _ = try db.query("UPDATE images SET size = ?, mtime = ? WHERE id = ?", [.integer(size), .real(mtime), e[0]])
            report.unchanged += 1
            return
        }
        var image = try ImageDecoder(maxPixels: 64_000_000).decode(bytes, name: url.path).flattened()
        if max(image.width, image.height) > 1600 { image = try image.fitted(within: 1600) }
        report.analysed += 1
        let net = try models.classifier(), names = try models.labels().names
        let output = try net.forward(try EfficientNetLite0.input(for: image))
        let labels = EfficientNetLite0.top(5, of: output.logits).filter { $0.probability >= 0.02 }.map { names[$0.index] }
        let text = try models.textReader().read(image).map(\.text).joined(separator: " ")
        let description = (labels.joined(separator: "; ") + ". " + String(text.prefix(400))).trimmingCharacters(in: .whitespaces)
        let embedding = try models.sentences().embed(description)
        func blob(_ v: [Float]) -> SQLValue { .blob(v.withUnsafeBytes { Array($0) }) }
        try db.transaction {
            if let e = existing {
                _ = try db.query("DELETE FROM images WHERE id = ?", [e[0]])
                _ = try db.query("DELETE FROM images_fts WHERE rowid = ?", [e[0]])
            }
            _ = try db.query("""
                INSERT INTO images(path, size, mtime, sha256, width, height, labels, text, feature, embedding)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(url.path), .integer(size), .real(mtime), .text(sha), .integer(Int64(image.width)), .integer(Int64(image.height)),
                      .text(labels.joined(separator: "; ")), .text(text), blob(output.features), blob(embedding)])
            let id = db.lastInsertRowID
            _ = try db.query("INSERT INTO images_fts(rowid, labels, text) VALUES (?, ?, ?)", [.integer(id), .text(labels.joined(separator: " ")), .text(text)])
        }
        if existing == nil { report.added += 1 } else { report.updated += 1 }
    }

    /// Number of indexed images.
    public func count() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        return Int(try db.query("SELECT count(*) FROM images").first?[0].int ?? 0)
    }

    static func floats(_ v: SQLValue) -> [Float] {
        guard let b = v.bytes else { return [] }
        return b.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for i in a.indices { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i] }
        return Double(dot / max(1e-12, (na * nb).squareRoot()))
    }

    /// The ImageNet classes the query's words cover in WordNet (the whole query first, "face mask", then each
    /// word that is not a stop word), and the word that gave them.
    func meaningClasses(_ query: String) throws -> (word: String, classes: Set<Int>)? {
        let meaning = try models.meaning()
        let words = query.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init).filter { $0.count >= 3 && !Self.stopWords.contains($0) }
        for candidate in [words.joined(separator: " ")] + words where !candidate.isEmpty {
            if let m = try meaning.match(candidate), !m.classes.isEmpty { return (candidate, Set(m.classes)) }
        }
        return nil
    }

    /// Images ranked for a text query: MiniLM similarity to each image's labels + text, plus `weights.textMatch`
    /// when FTS5 finds the query's words in its labels or OCR text, plus `weights.meaning` times the probability
    /// of the classes the query's words cover (from the stored features: the classifier head alone).
    public func search(text query: String, k: Int) throws -> [Hit] {
        lock.lock()
        defer { lock.unlock() }
        let q = try models.sentences().embed(query)
        let words = query.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { $0.count >= 2 && !Self.stopWords.contains($0) }
        var textHits: [Int64: String] = [:]
        if !words.isEmpty {
            // Whole words; in the OCR text longer words as prefixes too (OCR glues words: "Linzensoepa"), but not
            // in the labels ("dogs" is not a "dogsled").
            let match = words.map { $0.count >= 4 ? "(labels : \"\($0)\" OR text : \"\($0)\"*)" : "\"\($0)\"" }.joined(separator: " OR ")
            for row in try db.query("SELECT rowid, snippet(images_fts, -1, '[', ']', '…', 8) FROM images_fts WHERE images_fts MATCH ?", [.text(match)]) {
                if let id = row[0].int { textHits[id] = row[1].string ?? "" }
            }
        }
        let meant = weights.meaning > 0 ? try meaningClasses(query) : nil
        let net = try models.classifier()
        var hits: [Hit] = []
        for row in try db.query("SELECT id, path, labels, embedding, feature FROM images") {
            guard let id = row[0].int, let path = row[1].string else { continue }
            let sim = Self.cosine(q, Self.floats(row[3]))
            var why = "similarity \(rounded(sim)) to \"\(row[2].string ?? "")\""
            var score = sim
            if let snippet = textHits[id] { score += weights.textMatch; why += "; words found: \(snippet)" }
            if let meant, let logits = try? net.logits(features: Self.floats(row[4])) {
                let mass = EfficientNetLite0.mass(of: meant.classes, in: logits).total
                score += weights.meaning * mass
                if mass >= 0.05 { why = "classes of \"\(meant.word)\": \(Int((mass * 100).rounded()))%; " + why }
            }
            hits.append(Hit(path: path, score: score, why: why))
        }
        return Array(hits.sorted { $0.score > $1.score }.prefix(k))
    }

    /// Images ranked by EfficientNet feature similarity to `image`.
    public func search(image: RGBImage, k: Int) throws -> [Hit] {
        lock.lock()
        defer { lock.unlock() }
        let f = try models.classifier().forward(try EfficientNetLite0.input(for: image)).features
        let hits = try db.query("SELECT path, labels, feature FROM images").compactMap { row -> Hit? in
            guard let path = row[0].string else { return nil }
            let sim = Self.cosine(f, Self.floats(row[2]))
            return Hit(path: path, score: sim, why: "looks similar (feature similarity \(rounded(sim))); labels \(row[1].string ?? "")")
        }
        return Array(hits.sorted { $0.score > $1.score }.prefix(k))
    }
}
