import Foundation

/// A skill's answers (`skills/NAME/answer.md`): per situation of its observation (`## found`, `## none`, …) the
/// facts a planner's answer must contain and the template that states them when it does not.
///
/// ```
/// ## found
/// must: label
/// must when asked "how many|count": count
/// when asked "is there": Yes: I found {found}.
/// I found {found}.
/// ```
/// A section with the line `by: template` is answered by its template alone, without asking the planner.
public struct AnswerTemplate: Sendable {
    public struct Section: Sendable {
        /// Facts every answer must contain.
        public var must: [String]
        /// Facts required only when the request contains one of the cues (lower case).
        public var mustWhenAsked: [(cues: [String], facts: [String])]
        /// The template text: `{fact}` is replaced by the fact's value.
        public var text: String
        /// Templates used instead of `text` when the request contains one of the cues (lower case), first match wins.
        public var textWhenAsked: [(cues: [String], text: String)] = []
        /// `by: template`: the template is the answer and the planner is not asked for one.
        public var templateOnly = false
    }

    public let sections: [String: Section]

    public init(sections: [String: Section]) { self.sections = sections }

    /// Parses an answer.md; lines before the first `##` are notes for people.
    public init(text: String, file: String) throws {
        var sections: [String: Section] = [:]
        var name: String?, current = Section(must: [], mustWhenAsked: [], text: "")
        func flush() {
            if let name { current.text = current.text.trimmingCharacters(in: .whitespaces); sections[name] = current }
            current = Section(must: [], mustWhenAsked: [], text: "")
        }
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("## ") { flush(); name = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces); continue }
            guard name != nil, !line.isEmpty else { continue }
            if line.hasPrefix("must when asked ") {
                let (cues, rest) = try Self.cues(line, after: "must when asked ", file: file, usage: "must when asked \"cue|cue\": fact, fact")
                let facts = rest.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                current.mustWhenAsked.append((cues, facts))
            } else if line.hasPrefix("when asked ") {
                let (cues, rest) = try Self.cues(line, after: "when asked ", file: file, usage: "when asked \"cue|cue\": template text")
                guard !rest.isEmpty else { throw AgentError.prompt(file: file, reason: "\"\(line)\": no template text after the cues") }
                current.textWhenAsked.append((cues, rest))
            } else if line == "by: template" {
                current.templateOnly = true
            } else if line.hasPrefix("must:") {
                current.must += line.dropFirst(5).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            } else {
                current.text += (current.text.isEmpty ? "" : " ") + line
            }
        }
        flush()
        self.sections = sections
    }

    /// The cues of a `PREFIX"a|b": rest` line (lower case) and the rest, trimmed.
    private static func cues(_ line: String, after prefix: String, file: String, usage: String) throws -> ([String], String) {
        let rest = line.dropFirst(prefix.count)
        guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\""), rest[close...].hasPrefix("\":") else {
            throw AgentError.prompt(file: file, reason: "\"\(line)\": write \(usage)")
        }
        let cues = rest[rest.index(after: rest.startIndex)..<close].split(separator: "|").map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !cues.isEmpty else { throw AgentError.prompt(file: file, reason: "\"\(line)\": no cue between the quotes") }
        return (cues, rest[rest.index(close, offsetBy: 2)...].trimmingCharacters(in: .whitespaces))
    }

    /// Reads `folder/answer.md`, or nil when the skill has none.
    public static func read(folder: URL?) throws -> AnswerTemplate? {
        guard let file = folder?.appendingPathComponent("answer.md"), FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: file.path), data.count <= 1 << 20, let text = String(data: data, encoding: .utf8) else {
            throw AgentError.prompt(file: file.path, reason: "unreadable or over 1 MiB")
        }
        return try AnswerTemplate(text: text, file: file.path)
    }

    /// `text` with every `{key}` replaced by `facts[key]` (unknown keys by nothing), spaces tidied.
    public static func fill(_ text: String, facts: [String: String]) -> String {
        var out = "", i = text.startIndex
        while i < text.endIndex {
            if text[i] == "{", let close = text[i...].firstIndex(of: "}") {
                let key = String(text[text.index(after: i)..<close])
                if key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }), !key.isEmpty {
                    out += facts[key] ?? ""
                    i = text.index(after: close)
                    continue
                }
            }
            out.append(text[i])
            i = text.index(after: i)
        }
        var tidy = out.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        var before = ""
        while before != tidy {
            before = tidy
            for (bad, good) in [("()", ""), ("  ", " "), (" .", "."), (" ,", ","), (": .", "."), ("; .", "."), (" :", ":")] { tidy = tidy.replacingOccurrences(of: bad, with: good) }
        }
        return tidy
    }
}
