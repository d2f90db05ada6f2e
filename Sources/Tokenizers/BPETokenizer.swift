import ModelFormats
import Tensor

/// Byte-level BPE tokenizer built from a GGUF vocabulary (`tokenizer.ggml.model = gpt2`): special tokens
/// matched first (longest first), then the pre-tokenizer the file names, then merges by rank.
///
/// Follows llama.cpp's conventions so ids match its tokenizer: user-defined tokens are always matched as
/// whole strings, control tokens only with `parseSpecial`, and "end-looking" normal tokens such as `</s>`
/// are treated as control and end-of-generation tokens.
public final class BPETokenizer: @unchecked Sendable {
    /// Token texts as stored (byte-level alphabet for normal tokens).
    public let tokens: [String]
    /// Token kinds.
    public let kinds: [TokenKind]
    /// The pre-tokenizer named by the file.
    public let preTokenizer: PreTokenizer
    /// Ids that end generation.
    public let endOfGeneration: Set<Int32>
    /// `tokenizer.ggml.eos_token_id`, `bos_token_id` if present.
    public let eosID: Int32?
    public let bosID: Int32?

    private let textToID: [String: Int32]
    /// (left id, right id) → (rank, merged id).
    private let merges: [Int64: (rank: Int32, id: Int32)]
    /// Special tokens, longest text first: (UTF-8 bytes, id, kind).
    private let specials: [(bytes: [UInt8], id: Int32, kind: TokenKind)]
    /// Raw bytes of each token's piece (special tokens: their text).
    private let pieces: [[UInt8]]
    private let byteTokens: [Int32]
    private var cache: [String: [Int32]] = [:]
    private let cacheLock = NSLockLite()

    /// Texts llama.cpp treats as end-of-generation (and as control tokens) when present in a vocabulary.
    static let endTexts: Set<String> = [
        "<|endoftext|>", "<|im_end|>", "</s>", "<|eot_id|>", "<|eom_id|>", "<|end|>", "<end_of_turn>", "<EOT>",
        "_<EOT>", "<|end_of_text|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>", "<reponame>", "<fim_pad>",
        "<|return|>", "<|call|>", "<end_of_utterance>",
    ]

    /// Builds the tokenizer from a GGUF file's `tokenizer.ggml.*` metadata.
    public convenience init(gguf: GGUFFile) throws {
        guard let model = gguf["tokenizer.ggml.model"]?.stringValue else {
            throw TokenizerError.missingMetadata(key: "tokenizer.ggml.model", expected: "a string")
        }
        guard model == "gpt2" else { throw TokenizerError.unsupported("vocabulary kind \"\(model)\" (Loupe reads gpt2 byte-level BPE)") }
        guard let tokenValues = gguf["tokenizer.ggml.tokens"]?.arrayValue else {
            throw TokenizerError.missingMetadata(key: "tokenizer.ggml.tokens", expected: "an array of strings")
        }
        let tokens = try tokenValues.enumerated().map { i, v -> String in
            guard let s = v.stringValue else { throw TokenizerError.invalidVocabulary(field: "tokenizer.ggml.tokens[\(i)]", reason: "not a string") }
            return s
        }
        var kinds = [TokenKind](repeating: .normal, count: tokens.count)
        if let types = gguf["tokenizer.ggml.token_type"]?.arrayValue {
            guard types.count == tokens.count else {
                throw TokenizerError.invalidVocabulary(field: "tokenizer.ggml.token_type",
                                                       reason: "\(types.count) entries for \(tokens.count) tokens")
            }
            for (i, t) in types.enumerated() {
                kinds[i] = t.intValue.flatMap { TokenKind(rawValue: Int32(truncatingIfNeeded: $0)) } ?? .undefined
            }
        }
        let merges = try (gguf["tokenizer.ggml.merges"]?.arrayValue ?? []).enumerated().map { i, v -> String in
            guard let s = v.stringValue else { throw TokenizerError.invalidVocabulary(field: "tokenizer.ggml.merges[\(i)]", reason: "not a string") }
            return s
        }
        let pre = try PreTokenizer(name: gguf["tokenizer.ggml.pre"]?.stringValue ?? "default")
        func id(_ key: String) -> Int32? {
            gguf[key]?.intValue.flatMap { $0 < tokens.count ? Int32($0) : nil }
        }
        try self.init(tokens: tokens, kinds: kinds, merges: merges, preTokenizer: pre,
                      eosID: id("tokenizer.ggml.eos_token_id"), bosID: id("tokenizer.ggml.bos_token_id"),
                      eotID: id("tokenizer.ggml.eot_token_id"))
    }

    /// Builds the tokenizer from its parts (`merges` as "left right" strings in rank order).
    public init(tokens: [String], kinds: [TokenKind], merges mergeTexts: [String], preTokenizer: PreTokenizer,
                eosID: Int32?, bosID: Int32?, eotID: Int32? = nil) throws {
        guard !tokens.isEmpty, tokens.count < Int(Int32.max), kinds.count == tokens.count else {
            throw TokenizerError.invalidVocabulary(field: "tokens", reason: "\(tokens.count) tokens, \(kinds.count) kinds")
        }
        var kinds = kinds
        var textToID: [String: Int32] = [:]
        textToID.reserveCapacity(tokens.count)
        var endOfGeneration = Set<Int32>()
        for (i, text) in tokens.enumerated() {
            if textToID[text] == nil { textToID[text] = Int32(i) }
            if Self.endTexts.contains(text), kinds[i] != .unused {
                endOfGeneration.insert(Int32(i))
                if kinds[i] != .control { kinds[i] = .control }
            }
        }
        for extra in [eosID, eotID] { if let e = extra { endOfGeneration.insert(e) } }
        var merges: [Int64: (rank: Int32, id: Int32)] = [:]
        merges.reserveCapacity(mergeTexts.count)
        for (rank, line) in mergeTexts.enumerated() {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let l = textToID[String(parts[0])], let r = textToID[String(parts[1])],
                  let m = textToID[String(parts[0]) + String(parts[1])]
            else { continue }  // a merge whose parts are not tokens can never apply
            let key = Int64(l) << 32 | Int64(r)
            if merges[key] == nil { merges[key] = (Int32(rank), m) }
        }
        var pieces: [[UInt8]] = []
        pieces.reserveCapacity(tokens.count)
        var specials: [(bytes: [UInt8], id: Int32, kind: TokenKind)] = []
        for (i, text) in tokens.enumerated() {
            switch kinds[i] {
            case .normal, .undefined, .byte:
                pieces.append(ByteLevelMap.decode(text) ?? Array(text.utf8))
            default:
                pieces.append(Array(text.utf8))
            }
            if [.control, .userDefined, .unknown].contains(kinds[i]), !text.isEmpty {
                specials.append((Array(text.utf8), Int32(i), kinds[i]))
            }
        }
        specials.sort { $0.bytes.count > $1.bytes.count || ($0.bytes.count == $1.bytes.count && $0.id < $1.id) }
        var byteTokens = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            if let id = textToID[ByteLevelMap.encode([UInt8(b)])] { byteTokens[b] = id }
        }
        self.tokens = tokens
        self.kinds = kinds
        self.preTokenizer = preTokenizer
        self.endOfGeneration = endOfGeneration
        self.eosID = eosID
        self.bosID = bosID
        self.textToID = textToID
        self.merges = merges
        self.specials = specials
        self.pieces = pieces
        self.byteTokens = byteTokens
    }

    /// Number of tokens in the vocabulary.
    public var count: Int { tokens.count }

    /// The id of a token text, if it is in the vocabulary.
    public func id(of text: String) -> Int32? { textToID[text] }

    /// The bytes a token stands for (special tokens: their text). Empty for an out-of-range id.
    public func piece(_ id: Int32) -> [UInt8] {
        id >= 0 && Int(id) < pieces.count ? pieces[Int(id)] : []
    }

    /// Decodes ids to text (invalid UTF-8 replaced by U+FFFD).
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids { bytes += piece(id) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Encodes `text`. With `parseSpecial`, control tokens written in the text (e.g. `<|im_start|>`)
    /// become their ids; user-defined tokens (e.g. `<tool_call>`) always do.
    public func encode(_ text: String, parseSpecial: Bool = false) -> [Int32] {
        var out: [Int32] = []
        let bytes = Array(text.utf8)
        var start = 0, i = 0
        while i < bytes.count {
            if let special = matchSpecial(bytes, at: i, parseSpecial: parseSpecial) {
                if start < i { encodeFragment(bytes[start..<i], into: &out) }
                out.append(special.id)
                i += special.length
                start = i
            } else {
                i += 1
            }
        }
        if start < bytes.count { encodeFragment(bytes[start..<bytes.count], into: &out) }
        return out
    }

    private func matchSpecial(_ bytes: [UInt8], at i: Int, parseSpecial: Bool) -> (id: Int32, length: Int)? {
        let first = bytes[i]
        for s in specials where s.bytes[0] == first && s.kind.isSpecial(parseSpecial: parseSpecial) {
            let n = s.bytes.count
            guard i + n <= bytes.count else { continue }
            var equal = true
            for k in 1..<n where bytes[i + k] != s.bytes[k] { equal = false; break }
            if equal { return (s.id, n) }
        }
        return nil
    }

    private func encodeFragment(_ bytes: ArraySlice<UInt8>, into out: inout [Int32]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let scalars = Array(text.unicodeScalars)
        var ranges: [Range<Int>] = []
        preTokenizer.split(scalars, 0..<scalars.count, into: &ranges)
        for r in ranges {
            var word = String.UnicodeScalarView()
            word.append(contentsOf: scalars[r])
            out += encodeWord(String(word))
        }
    }

    /// BPE over one pre-tokenized piece.
    private func encodeWord(_ word: String) -> [Int32] {
        if let hit = cacheLock.withLock({ cache[word] }) { return hit }
        var symbols: [Int32] = []
        for b in word.utf8 {
            let id = byteTokens[Int(b)]
            if id >= 0 { symbols.append(id) }
        }
        let result = applyMerges(symbols)
        if word.utf8.count <= 64 { cacheLock.withLock { if cache.count < 100_000 { cache[word] = result } } }
        return result
    }

    /// Repeatedly merges the adjacent pair of lowest rank (leftmost on ties), with a heap and a linked list
    /// so long pieces stay O(n log n).
    private func applyMerges(_ symbols: [Int32]) -> [Int32] {
        let n = symbols.count
        if n < 2 { return symbols }
        var ids = symbols
        var next = Array(1...n), prev = Array(-1..<(n - 1))
        var alive = [Bool](repeating: true, count: n)
        var heap = BinaryHeap<MergeCandidate>()
        func push(_ left: Int) {
            let right = next[left]
            guard right < n, let m = merges[Int64(ids[left]) << 32 | Int64(ids[right])] else { return }
            heap.push(MergeCandidate(rank: m.rank, left: left, leftID: ids[left], rightID: ids[right]))
        }
        for i in 0..<(n - 1) { push(i) }
        while let top = heap.pop() {
            let l = top.left
            guard alive[l], ids[l] == top.leftID, next[l] < n, alive[next[l]], ids[next[l]] == top.rightID,
                  let m = merges[Int64(top.leftID) << 32 | Int64(top.rightID)]
            else { continue }
            let r = next[l]
            ids[l] = m.id
            alive[r] = false
            next[l] = next[r]
            if next[r] < n { prev[next[r]] = l }
            if prev[l] >= 0 { push(prev[l]) }
            push(l)
        }
        var out: [Int32] = []
        var i = 0
        while i < n { out.append(ids[i]); i = next[i] }
        return out
    }
}

/// A candidate merge, ordered by (rank, position) in the merge queue.
struct MergeCandidate: Comparable {
    let rank: Int32; let left: Int; let leftID: Int32; let rightID: Int32
    static func < (a: MergeCandidate, b: MergeCandidate) -> Bool { a.rank < b.rank || (a.rank == b.rank && a.left < b.left) }
    static func == (a: MergeCandidate, b: MergeCandidate) -> Bool { a.rank == b.rank && a.left == b.left }
}
