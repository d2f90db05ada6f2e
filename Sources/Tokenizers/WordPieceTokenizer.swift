import Foundation

/// BERT's uncased WordPiece tokenizer (for MiniLM sentence embeddings): text cleaning, CJK spacing,
/// lower-casing with accents stripped, punctuation split, then greedy longest-match-first word pieces with
/// `##` continuations. Words longer than 100 characters, or with an unmatched remainder, become `[UNK]`.
public final class WordPieceTokenizer: @unchecked Sendable {
    public let vocabulary: [String]
    private let ids: [String: Int32]
    public let clsID: Int32, sepID: Int32, padID: Int32, unknownID: Int32
    /// Longest sequence, [CLS] and [SEP] included.
    public let maxLength: Int

    /// Reads a `vocab.txt` (one token per line, id = line number).
    public convenience init(vocabularyFile path: String, maxLength: Int = 256) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TokenizerError.invalidVocabulary(field: path, reason: "cannot be read as UTF-8 text")
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        try self.init(vocabulary: lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }, maxLength: maxLength)
    }

    public init(vocabulary: [String], maxLength: Int = 256) throws {
        guard maxLength >= 2 else { throw TokenizerError.invalidVocabulary(field: "maxLength", reason: "must be at least 2") }
        var ids: [String: Int32] = [:]
        for (i, t) in vocabulary.enumerated() where ids[t] == nil { ids[t] = Int32(i) }
        func need(_ t: String) throws -> Int32 {
            guard let id = ids[t] else { throw TokenizerError.invalidVocabulary(field: "vocab.txt", reason: "no \(t) token") }
            return id
        }
        self.vocabulary = vocabulary
        self.ids = ids
        clsID = try need("[CLS]")
        sepID = try need("[SEP]")
        padID = try need("[PAD]")
        unknownID = try need("[UNK]")
        self.maxLength = maxLength
    }

    /// `[CLS] pieces… [SEP]`, truncated to `maxLength`.
    public func encode(_ text: String) -> [Int32] {
        var out: [Int32] = [clsID]
        for word in basicTokens(text) {
            out += wordPieces(word)
            if out.count >= maxLength - 1 { break }
        }
        if out.count > maxLength - 1 { out.removeLast(out.count - (maxLength - 1)) }
        out.append(sepID)
        return out
    }

    /// The token texts of ids (for display).
    public func tokens(_ ids: [Int32]) -> [String] { ids.map { $0 >= 0 && Int($0) < vocabulary.count ? vocabulary[Int($0)] : "?" } }

    static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    static func isCJK(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
        default: return false
        }
    }

    /// Cleaning, CJK spacing, whitespace split, lower case without accents, punctuation split.
    func basicTokens(_ text: String) -> [String] {
        var cleaned = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            if c.value == 0 || c.value == 0xFFFD { continue }
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c.properties.generalCategory == .spaceSeparator {
                cleaned.append(" ")
                continue
            }
            let cat = c.properties.generalCategory
            if cat == .control || cat == .format { continue }
            if Self.isCJK(c) {
                cleaned.append(" "); cleaned.append(c); cleaned.append(" ")
            } else {
                cleaned.append(c)
            }
        }
        var words: [String] = []
        for raw in String(cleaned).split(separator: " ", omittingEmptySubsequences: true) {
            let lowered = raw.lowercased().decomposedStringWithCanonicalMapping
            var current = String.UnicodeScalarView()
            for c in lowered.unicodeScalars where c.properties.generalCategory != .nonspacingMark {
                if Self.isPunctuation(c) {
                    if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() }
                    words.append(String(c))
                } else {
                    current.append(c)
                }
            }
            if !current.isEmpty { words.append(String(current)) }
        }
        return words
    }

    /// Greedy longest-match-first pieces of one word.
    func wordPieces(_ word: String) -> [Int32] {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count <= 100 else { return [unknownID] }
        var pieces: [Int32] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var found: Int32?
            while start < end {
                var piece = String(String.UnicodeScalarView(scalars[start..<end]))
                if start > 0 { piece = "##" + piece }
                if let id = ids[piece] { found = id; break }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            pieces.append(id)
            start = end
        }
        return pieces
    }
}
