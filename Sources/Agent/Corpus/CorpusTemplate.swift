/// One line of a corpus template file, parsed: `(a|b)` one of, `[x]` or `[a|b]` optional, `{slot}` a word of
/// `vocabulary/slot.txt` (`{slot+s}` its second column, the plural; `{slot#2}` a second, independent draw).
/// Everything else is literal text.
public struct CorpusTemplate: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        case slot(name: String, draw: String, plural: Bool)
        /// One of the alternatives; `optional` also allows none.
        case choice([[Node]], optional: Bool)
    }

    let nodes: [Node]
    /// The slots the template uses.
    public let slots: Set<String>

    /// Parses `line`; throws with the column of the first syntax error.
    public init(_ line: String) throws {
        var chars = Array(line)
        var i = 0
        var slots = Set<String>()
        func fail(_ reason: String) -> AgentError { .prompt(file: "template \"\(line)\"", reason: "column \(i + 1): \(reason)") }
        func sequence(until closers: Set<Character>) throws -> [[Node]] {
            var alternatives: [[Node]] = [], current: [Node] = [], literal = ""
            func flush() { if !literal.isEmpty { current.append(.text(literal)); literal = "" } }
            while i < chars.count {
                let c = chars[i]
                if closers.contains(c) { flush(); alternatives.append(current); return alternatives }
                if c == "|" {
                    guard !closers.isEmpty else { throw fail("'|' outside ( ) or [ ]") }
                    flush(); alternatives.append(current); current = []; i += 1; continue
                }
                if c == "(" || c == "[" {
                    flush()
                    i += 1
                    let alts = try sequence(until: [c == "(" ? ")" : "]"])
                    guard i < chars.count else { throw fail("unclosed '\(c)'") }
                    i += 1
                    current.append(.choice(alts, optional: c == "["))
                    continue
                }
                if c == ")" || c == "]" { throw fail("unmatched '\(c)'") }
                if c == "{" {
                    flush()
                    guard let end = chars[i...].firstIndex(of: "}") else { throw fail("unclosed '{'") }
                    var name = String(chars[(i + 1)..<end])
                    let plural = name.hasSuffix("+s")
                    if plural { name.removeLast(2) }
                    let draw = name
                    if let hash = name.firstIndex(of: "#") { name = String(name[..<hash]) }
                    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" || $0 == "-" }) else { throw fail("bad slot name \"\(name)\"") }
                    slots.insert(name)
                    current.append(.slot(name: name, draw: draw, plural: plural))
                    i = end + 1
                    continue
                }
                literal.append(c)
                i += 1
            }
            guard closers.isEmpty else { throw fail("unclosed group") }
            flush()
            alternatives.append(current)
            return alternatives
        }
        chars = Array(line)
        nodes = try sequence(until: [])[0]
        self.slots = slots
    }

    /// One expansion: choices by `random`, slot words from `vocabulary` (name → lines of "singular|plural").
    /// Returns the text and the words drawn per slot.
    public func expand(vocabulary: [String: [String]], random: inout some RandomNumberGenerator) -> (text: String, words: [String]) {
        var drawn: [String: [String]] = [:]
        var words: [String] = []
        func walk(_ nodes: [Node], into out: inout String) {
            for n in nodes {
                switch n {
                case let .text(t): out += t
                case let .slot(name, draw, plural):
                    if drawn[draw] == nil {
                        let list = vocabulary[name] ?? []
                        let line = list.isEmpty ? name : list[Int.random(in: 0..<list.count, using: &random)]
                        drawn[draw] = line.split(separator: "|", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
                    }
                    let columns = drawn[draw]!
                    let word = plural && columns.count > 1 ? columns[1] : columns[0]
                    words.append(word)
                    out += word
                case let .choice(alts, optional):
                    let pick = Int.random(in: 0..<(alts.count + (optional ? 1 : 0)), using: &random)
                    if pick < alts.count { walk(alts[pick], into: &out) }
                }
            }
        }
        var out = ""
        walk(nodes, into: &out)
        let squeezed = out.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return (squeezed.replacingOccurrences(of: " ,", with: ",").replacingOccurrences(of: " ?", with: "?"), words)
    }
}
