import Foundation

/// WordNet 3.0's noun database (Debian's `wordnet-base`: `index.noun`, `data.noun`, `noun.exc`), read in
/// place: `index.noun` is searched by binary search over its sorted lines, and a synset is read from
/// `data.noun` at its byte offset (which is its id, as in ImageNet's `n02085620`). The files are treated as
/// hostile: every offset and count is checked, and errors name the file and the field.
public final class WordNet: @unchecked Sendable {
    /// One noun synset.
    public struct Synset: Sendable, Equatable {
        /// Its id: the byte offset of its line in `data.noun`.
        public let offset: Int
        /// Its words, spaces for underscores ("domestic dog").
        public let words: [String]
        /// Hypernyms and instance hypernyms (`@`, `@i`).
        public let hypernyms: [Int]
        /// Its lexicographer file (`lex_filenum`: 5 is noun.animal, 6 noun.artifact, 13 noun.food, …).
        public let lexicographerFile: Int
        /// Its definition: the gloss up to the first example or semicolon ("a young dog").
        public let definition: String
    }

    /// The senses of one lemma, most frequent first.
    public struct Entry: Sendable, Equatable {
        public let lemma: String
        public let synsets: [Int]
        /// How many of the first `synsets` were seen in WordNet's sense-tagged corpus.
        public let tagged: Int
    }

    private let index: Data
    private let data: Data
    private let lineStarts: [Int]
    private let exceptions: [String: [String]]
    private let lock = NSLock()
    private var synsetCache: [Int: Synset] = [:]
    public let directory: String

    /// The folder Debian installs the database to.
    public static let defaultDirectory = "/usr/share/wordnet"

    /// Reads the noun files in `directory`.
    public init(directory: String = WordNet.defaultDirectory) throws {
        self.directory = directory
        func read(_ name: String, limit: Int) throws -> Data {
            let path = (directory as NSString).appendingPathComponent(name)
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            guard let size = attributes?[.size] as? Int else {
                throw PerceptionError.badWeights(network: "WordNet", tensor: path, reason: "is missing (install Debian's wordnet-base: bash scripts/setup)")
            }
            guard size <= limit else { throw PerceptionError.badWeights(network: "WordNet", tensor: path, reason: "is \(size) bytes, more than \(limit)") }
            guard let d = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
                throw PerceptionError.badWeights(network: "WordNet", tensor: path, reason: "cannot be read")
            }
            return d
        }
        index = try read("index.noun", limit: 64 << 20)
        data = try read("data.noun", limit: 128 << 20)
        let exc = (try? read("noun.exc", limit: 16 << 20)) ?? Data()
        // Line starts of the sorted entries (the licence header's lines start with a space).
        var starts: [Int] = []
        index.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var start = 0
            for i in 0..<raw.count where raw[i] == 0x0A {
                if i > start, raw[start] != 0x20 { starts.append(start) }
                start = i + 1
            }
            if start < raw.count, raw[start] != 0x20 { starts.append(start) }
        }
        guard !starts.isEmpty else { throw PerceptionError.badWeights(network: "WordNet", tensor: "index.noun", reason: "has no entries") }
        lineStarts = starts
        var table: [String: [String]] = [:]
        for line in String(decoding: exc, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ").map(String.init)
            if parts.count >= 2 { table[parts[0], default: []].append(contentsOf: parts.dropFirst()) }
        }
        exceptions = table
    }

    private func line(in file: Data, from start: Int) -> Substring {
        let end = file[start...].firstIndex(of: 0x0A) ?? file.endIndex
        return Substring(String(decoding: file[start..<end], as: UTF8.self))
    }

    /// The entry of an exact lemma (lower case; spaces or underscores), or nil.
    public func entry(_ lemma: String) throws -> Entry? {
        let key = lemma.lowercased().replacingOccurrences(of: " ", with: "_")
        guard !key.isEmpty, key.utf8.count <= 200 else { return nil }
        let keyBytes = Array(key.utf8) + [0x20]
        var lo = 0, hi = lineStarts.count
        var found: Int?
        index.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            while lo < hi {
                let mid = (lo + hi) / 2, s = lineStarts[mid]
                // Compare the line's first word (followed by a space) with the key.
                var order = 0, i = 0
                while order == 0 {
                    let a: UInt8 = s + i < raw.count ? raw[s + i] : 0x0A
                    let b = keyBytes[i]
                    if a == b { if b == 0x20 { break }; i += 1; continue }
                    // A line's word ends at its space: treat the space as lowest.
                    order = (a == 0x20 || a == 0x0A) ? -1 : (b == 0x20 ? 1 : (a < b ? -1 : 1))
                }
                if order == 0 { found = mid; return }
                if order < 0 { lo = mid + 1 } else { hi = mid }
            }
        }
        guard let found else { return nil }
        let fields = line(in: index, from: lineStarts[found]).split(separator: " ")
        // lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt synset_offset…
        func fail(_ why: String) -> PerceptionError {
            .badWeights(network: "WordNet", tensor: "index.noun", reason: "entry \"\(key)\": \(why)")
        }
        guard fields.count >= 4, let synsetCount = Int(fields[2]), let pointerCount = Int(fields[3]),
              (0...100).contains(pointerCount), (1...500).contains(synsetCount) else { throw fail("bad counts") }
        let after = 4 + pointerCount
        guard fields.count == after + 2 + synsetCount, let tagged = Int(fields[after + 1]) else { throw fail("has \(fields.count) fields") }
        let offsets = try fields[(after + 2)...].map { f -> Int in
            guard f.count == 8, let o = Int(f), o >= 0, o < data.count else { throw fail("synset offset \(f) outside data.noun") }
            return o
        }
        return Entry(lemma: key, synsets: offsets, tagged: max(0, min(tagged, offsets.count)))
    }

    /// The base forms WordNet knows for a noun as written ("geese" → "goose", "dishes" → "dish",
    /// "glasses" → "glasses" and "glass"): the form itself, its exceptions, then the detachment rules.
    public func baseForms(_ word: String) throws -> [String] {
        let w = word.lowercased().trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "_")
        var candidates = [w] + (exceptions[w] ?? [])
        for (suffix, ending) in [("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y"), ("s", "")]
        where w.hasSuffix(suffix) && w.count > suffix.count + 1 {
            candidates.append(String(w.dropLast(suffix.count)) + ending)
        }
        var seen = Set<String>(), out: [String] = []
        for c in candidates where seen.insert(c).inserted {
            if try entry(c) != nil { out.append(c) }
        }
        return out
    }

    /// The synset at `offset` in `data.noun`.
    public func synset(_ offset: Int) throws -> Synset {
        lock.lock()
        if let s = synsetCache[offset] { lock.unlock(); return s }
        lock.unlock()
        func fail(_ why: String) -> PerceptionError {
            .badWeights(network: "WordNet", tensor: "data.noun", reason: "synset \(offset): \(why)")
        }
        guard offset >= 0, offset < data.count else { throw fail("outside the file (\(data.count) bytes)") }
        let text = line(in: data, from: data.startIndex + offset)
        let fields = text.split(separator: " ")
        // offset lex_filenum ss_type w_cnt(hex) word lex_id … p_cnt pointer(symbol offset pos source/target)…
        guard fields.count >= 4, Int(fields[0]) == offset else { throw fail("line does not start with its offset") }
        guard let lexicographerFile = Int(fields[1]), (0...99).contains(lexicographerFile) else { throw fail("bad lexicographer file number") }
        guard let wordCount = Int(fields[3], radix: 16), (1...1000).contains(wordCount), fields.count >= 5 + 2 * wordCount else { throw fail("bad word count") }
        var words: [String] = []
        for i in 0..<wordCount {
            var word = String(fields[4 + 2 * i]).replacingOccurrences(of: "_", with: " ")
            if let paren = word.firstIndex(of: "(") { word = String(word[..<paren]) }  // adjective markers like "(p)"
            words.append(word)
        }
        let p = 4 + 2 * wordCount
        guard let pointerCount = Int(fields[p]), pointerCount >= 0, fields.count >= p + 1 + 4 * pointerCount else { throw fail("bad pointer count") }
        var hypernyms: [Int] = []
        for k in 0..<pointerCount {
            let symbol = fields[p + 1 + 4 * k], target = fields[p + 2 + 4 * k], pos = fields[p + 3 + 4 * k]
            guard symbol == "@" || symbol == "@i", pos == "n" else { continue }
            guard let t = Int(target), t >= 0, t < data.count else { throw fail("hypernym \(target) outside the file") }
            hypernyms.append(t)
        }
        var definition = ""
        if let bar = text.range(of: " | ") {
            let gloss = text[bar.upperBound...]
            definition = String(gloss.prefix { $0 != ";" && $0 != "\"" }).trimmingCharacters(in: .whitespaces)
        }
        let s = Synset(offset: offset, words: words, hypernyms: hypernyms, lexicographerFile: lexicographerFile, definition: definition)
        lock.lock()
        synsetCache[offset] = s
        lock.unlock()
        return s
    }

    /// Every synset above `offset` (hypernyms and instance hypernyms, transitively), and `offset` itself.
    public func ancestors(_ offset: Int) throws -> Set<Int> {
        var seen: Set<Int> = [offset], stack = [offset]
        while let o = stack.popLast() {
            guard seen.count < 10_000 else { throw PerceptionError.badWeights(network: "WordNet", tensor: "data.noun", reason: "hypernyms of \(offset) do not end") }
            for h in try synset(o).hypernyms where seen.insert(h).inserted { stack.append(h) }
        }
        return seen
    }
}
