/// Splits text into the pieces BPE runs on, reproducing the regular expressions each vocabulary names
/// in `tokenizer.ggml.pre` (written out by hand over Unicode categories: `\p{L}` letters, `\p{N}` numbers,
/// `\s` the White_Space characters).
public enum PreTokenizer: Sendable, Equatable {
    /// Qwen2: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case qwen2
    /// SmolLM / StarCoder: every `\p{N}` on its own, then the GPT-2 expression on the rest.
    case smollm
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`
    case gpt2

    /// The pre-tokenizer for a GGUF `tokenizer.ggml.pre` name.
    public init(name: String) throws {
        switch name {
        case "qwen2", "stablelm2": self = .qwen2
        case "smollm", "starcoder", "refact", "command-r", "codeshell": self = .smollm
        case "gpt-2", "gpt2", "default", "mpt", "olmo", "jais": self = .gpt2
        default: throw TokenizerError.unsupported("pre-tokenizer \"\(name)\" (Loupe implements qwen2, smollm and gpt2)")
        }
    }

    /// Splits `s[range]` into pieces, appended to `out` as ranges of `s`.
    func split(_ s: [Unicode.Scalar], _ range: Range<Int>, into out: inout [Range<Int>]) {
        switch self {
        case .qwen2:
            splitQwen2(s, range, &out)
        case .gpt2:
            splitGPT2(s, range, &out)
        case .smollm:
            var start = range.lowerBound
            for i in range where Self.isNumber(s[i]) {
                if start < i { splitGPT2(s, start..<i, &out) }
                out.append(i..<(i + 1))
                start = i + 1
            }
            if start < range.upperBound { splitGPT2(s, start..<range.upperBound, &out) }
        }
    }

    // MARK: - Character classes

    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.value < 128 { return (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isNumber(_ c: Unicode.Scalar) -> Bool {
        if c.value < 128 { return c.value >= 0x30 && c.value <= 0x39 }
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    static func isNewline(_ c: Unicode.Scalar) -> Bool { c.value == 0x0A || c.value == 0x0D }

    static func isOther(_ c: Unicode.Scalar) -> Bool { !isSpace(c) && !isLetter(c) && !isNumber(c) }

    // MARK: - Shared pieces of the expressions

    /// Length of a contraction (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`) at `i`, or 0.
    private func contraction(_ s: [Unicode.Scalar], _ i: Int, _ end: Int, caseInsensitive: Bool) -> Int {
        guard s[i] == "'", i + 1 < end else { return 0 }
        func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
            caseInsensitive && c.value >= 0x41 && c.value <= 0x5A ? Unicode.Scalar(c.value + 32)! : c
        }
        let a = lower(s[i + 1])
        if a == "s" || a == "t" || a == "m" || a == "d" { return 2 }
        guard i + 2 < end else { return 0 }
        let b = lower(s[i + 2])
        if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") { return 3 }
        return 0
    }

    /// End of a run of characters satisfying `test`, starting at `i`.
    private func run(_ s: [Unicode.Scalar], _ i: Int, _ end: Int, _ test: (Unicode.Scalar) -> Bool) -> Int {
        var j = i
        while j < end, test(s[j]) { j += 1 }
        return j
    }

    /// `\s+(?!\S)` then `\s+`: a whitespace run, leaving its last character to the next piece when a
    /// non-space follows.
    private func whitespace(_ s: [Unicode.Scalar], _ i: Int, _ end: Int) -> Int {
        let j = run(s, i, end, Self.isSpace)
        if j - i > 1, j < end { return j - 1 }
        return j
    }

    // MARK: - Expressions

    private func splitGPT2(_ s: [Unicode.Scalar], _ range: Range<Int>, _ out: inout [Range<Int>]) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            var j = i + contraction(s, i, end, caseInsensitive: false)
            if j == i {
                let k = s[i] == " " && i + 1 < end ? i + 1 : i
                if Self.isLetter(s[k]) {
                    j = run(s, k, end, Self.isLetter)
                } else if Self.isNumber(s[k]) {
                    j = run(s, k, end, Self.isNumber)
                } else if Self.isOther(s[k]) {
                    j = run(s, k, end, Self.isOther)
                } else {
                    j = whitespace(s, i, end)
                }
            }
            out.append(i..<j)
            i = j
        }
    }

    private func splitQwen2(_ s: [Unicode.Scalar], _ range: Range<Int>, _ out: inout [Range<Int>]) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let c = s[i]
            var j = i + contraction(s, i, end, caseInsensitive: true)
            if j == i {
                if Self.isLetter(c) {
                    // [^\r\n\p{L}\p{N}]?\p{L}+ with the optional character absent
                    j = run(s, i, end, Self.isLetter)
                } else if !Self.isNewline(c), !Self.isNumber(c), i + 1 < end, Self.isLetter(s[i + 1]) {
                    j = run(s, i + 1, end, Self.isLetter)
                } else if Self.isNumber(c) {
                    j = i + 1
                } else if Self.isOther(c) || (c == " " && i + 1 < end && Self.isOther(s[i + 1])) {
                    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
                    let k = Self.isOther(c) ? i : i + 1
                    j = run(s, run(s, k, end, Self.isOther), end, Self.isNewline)
                } else {
                    // whitespace: '\s*[\r\n]+' (up to the last newline of the run), else '\s+(?!\S)', '\s+'
                    let r = run(s, i, end, Self.isSpace)
                    if let last = (i..<r).last(where: { Self.isNewline(s[$0]) }) {
                        j = last + 1
                    } else {
                        j = whitespace(s, i, end)
                    }
                }
            }
            out.append(i..<j)
            i = j
        }
    }
}
