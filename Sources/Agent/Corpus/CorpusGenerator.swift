import Foundation
import Tensor

/// The instruction corpus the plan classifier learns from, generated the way LLaVA generated its instruction
/// data: request templates per plan (`skills/corpus/templates/PLAN.txt`) filled from word lists
/// (`skills/corpus/vocabulary/SLOT.txt`, plus ImageNet's class names), with the openings and endings people
/// add, lower case, and typos, then de-duplicated across plans. Paraphrases by a language model are added
/// separately (`CorpusParaphraser`). Nothing here looks at evaluation cases.
public struct CorpusGenerator: Sendable {
    public struct Options: Sendable {
        /// Expansions tried per template line.
        public var perTemplate = 14
        public var seed: UInt64 = 20261207
        /// Share of requests given an opening ("could you", "hey,") or an ending ("please", "thanks").
        public var prefixRate = 0.2, suffixRate = 0.15
        /// Share written in lower case, and share given one typo.
        public var lowerRate = 0.3, typoRate = 0.08
        public init() {}
    }

    /// Template lines per plan.
    public let templates: [(plan: String, lines: [(text: String, template: CorpusTemplate)])]
    /// Word lists by slot name.
    public var vocabulary: [String: [String]]

    /// Reads `folder/templates/*.txt` and `folder/vocabulary/*.txt` (lines starting with `#` are comments).
    public init(folder: URL) throws {
        func lines(_ url: URL) throws -> [String] {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw AgentError.prompt(file: url.path, reason: "cannot be read")
            }
            return text.split(whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        func files(_ sub: String) throws -> [URL] {
            let dir = folder.appendingPathComponent(sub)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
                throw AgentError.prompt(file: dir.path, reason: "missing (the corpus generator needs templates/ and vocabulary/)")
            }
            return names.filter { $0.hasSuffix(".txt") }.sorted().map { dir.appendingPathComponent($0) }
        }
        var vocabulary: [String: [String]] = [:]
        for f in try files("vocabulary") { vocabulary[f.deletingPathExtension().lastPathComponent] = try lines(f) }
        var templates: [(plan: String, lines: [(text: String, template: CorpusTemplate)])] = []
        for f in try files("templates") {
            let parsed = try lines(f).map { line -> (text: String, template: CorpusTemplate) in
                do { return (line, try CorpusTemplate(line)) } catch { throw AgentError.prompt(file: f.path, reason: "\(error)") }
            }
            templates.append((f.deletingPathExtension().lastPathComponent, parsed))
        }
        for (plan, list) in templates {
            for (text, t) in list {
                for slot in t.slots where vocabulary[slot] == nil {
                    throw AgentError.prompt(file: "templates/\(plan).txt", reason: "\"\(text)\" uses {\(slot)}, but vocabulary/\(slot).txt does not exist")
                }
            }
        }
        self.templates = templates
        self.vocabulary = vocabulary
    }

    /// Adds ImageNet class names (the first name of each, e.g. "golden retriever") to the `object` slot, with
    /// plurals by the regular rules.
    public mutating func addClassNames(_ names: [String]) {
        let firsts = names.compactMap { $0.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } }
        vocabulary["object", default: []] += Set(firsts).sorted().map { "\($0)|\(Self.plural($0))" }
    }

    /// English plural of a noun phrase by the regular rules (its last word: -s, -es, -ies).
    static func plural(_ noun: String) -> String {
        let lower = noun.lowercased()
        if ["s", "x", "z", "ch", "sh"].contains(where: lower.hasSuffix) { return noun + "es" }
        if lower.hasSuffix("y"), let before = lower.dropLast().last, !"aeiou".contains(before) { return noun.dropLast() + "ies" }
        return noun + "s"
    }

    /// Lower-cased letters and digits only: what makes two requests the same.
    public static func normalized(_ text: String) -> String {
        let mapped = String(text.lowercased().map { (c: Character) -> Character in c.isLetter || c.isNumber ? c : " " })
        return mapped.split(separator: " ").map(String.init).joined(separator: " ")
    }

    /// Generates the corpus: requests per plan, each request once across all plans (a request that two plans'
    /// templates both produce is dropped from both, as it teaches nothing).
    public func generate(_ options: Options = Options()) -> [(plan: String, requests: [Request])] {
        var random = SeededRandom(seed: options.seed)
        let prefixes = vocabulary["prefix"] ?? []
        var byPlan: [(plan: String, requests: [Request])] = []
        var owner: [String: String] = [:], clashes = Set<String>()
        for (plan, lines) in templates {
            var out: [Request] = [], seen = Set<String>()
            for (_, template) in lines {
                for _ in 0..<options.perTemplate {
                    let (expanded, words) = template.expand(vocabulary: vocabulary, random: &random)
                    guard !expanded.isEmpty else { continue }
                    let text = dressed(expanded, options: options, random: &random)
                    let key = Self.normalized(text)
                    guard !key.isEmpty, seen.insert(key).inserted else { continue }
                    if let o = owner[key], o != plan { clashes.insert(key) } else { owner[key] = plan }
                    out.append(Request(text: text, words: words.filter { $0.count >= 3 && !prefixes.contains($0) }))
                }
            }
            byPlan.append((plan, out))
        }
        return byPlan.map { ($0.plan, $0.requests.filter { !clashes.contains(Self.normalized($0.text)) }) }
    }

    /// A generated request and the vocabulary words it was filled with (a paraphrase must keep them).
    public struct Request: Sendable {
        public var text: String
        public var words: [String]
        public init(text: String, words: [String]) { (self.text, self.words) = (text, words) }
    }

    /// `text` as different people type it: sometimes with an opening or an ending, a typo, in lower case.
    func dressed(_ text: String, options: Options, random: inout SeededRandom) -> String {
        let prefixes = vocabulary["prefix"] ?? [], suffixes = vocabulary["suffix"] ?? []
        var text = text
        if !prefixes.isEmpty, Double.random(in: 0..<1, using: &random) < options.prefixRate {
            let p = prefixes.randomElement(using: &random)!
            text = p + " " + (text.first!.isUppercase && !text.hasPrefix("I ") ? text.prefix(1).lowercased() + text.dropFirst() : text)
        }
        if !suffixes.isEmpty, Double.random(in: 0..<1, using: &random) < options.suffixRate {
            let s = suffixes.randomElement(using: &random)!
            text = (s.first!.isLetter ? text + " " : text) + s
        }
        if Double.random(in: 0..<1, using: &random) < options.typoRate { text = Self.typo(text, random: &random) }
        if Double.random(in: 0..<1, using: &random) < options.lowerRate { return text.lowercased() }
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    /// Up to `count` different variants of each request (openings, endings, typos, case), for plans taught by a
    /// handful of requests (a plugin's), so they are not tied to one way of typing.
    public func variants(of requests: [String], count: Int, seed: UInt64) -> [String] {
        var random = SeededRandom(seed: seed)
        var options = Options()
        (options.prefixRate, options.suffixRate, options.typoRate, options.lowerRate) = (0.35, 0.3, 0.25, 0.4)
        var out: [String] = []
        for r in requests where !r.isEmpty {
            var seen: Set<String> = [Self.normalized(r)]
            for _ in 0..<(count * 3) where seen.count <= count {
                let v = dressed(r, options: options, random: &random)
                if seen.insert(Self.normalized(v)).inserted { out.append(v) }
            }
        }
        return out
    }

    /// One typing slip in a word of four letters or more: two letters swapped, one dropped, or one doubled.
    static func typo(_ text: String, random: inout SeededRandom) -> String {
        var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let candidates = words.indices.filter { words[$0].count >= 4 && words[$0].allSatisfy(\.isLetter) }
        guard let w = candidates.randomElement(using: &random) else { return text }
        var chars = Array(words[w])
        let i = Int.random(in: 1..<(chars.count - 1), using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0: chars.swapAt(i, i + 1)
        case 1: chars.remove(at: i)
        default: chars.insert(chars[i], at: i)
        }
        words[w] = String(chars)
        return words.joined(separator: " ")
    }
}
