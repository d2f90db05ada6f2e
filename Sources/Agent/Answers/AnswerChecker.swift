import Foundation
import SkillKit

/// The third part of a turn (DESIGN.md, "Plans and answers"): the planner's answer is compared with the
/// observations it is based on, and replaced by the deciding skill's answer template when it is empty, carries
/// internal text (markup, chat tokens, errors, hints), states a number or quotes text that no observation
/// holds, or leaves out a fact the template's section requires. No user sees Loupe's internal messages.
public struct AnswerChecker: Sendable {
    /// Why an answer was not kept.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        case empty
        case internalText(String)
        case number(String)
        case quote(String)
        case missing(String)
        case failed(String)

        public var description: String {
            switch self {
            case .empty: return "no words"
            case let .internalText(t): return "internal text \"\(t)\""
            case let .number(n): return "the number \(n) is in no observation"
            case let .quote(q): return "the quote \"\(q)\" is in no observation"
            case let .missing(f): return "leaves out \(f)"
            case let .failed(skill): return "\(skill) failed, so only its template may answer"
            }
        }
    }

    /// The answer to show, and what was wrong with the planner's.
    public struct Verdict: Sendable {
        public var answer: String
        public var problems: [Problem]
        public var replaced: Bool { !problems.isEmpty }
    }

    public let rules: AnswerRules
    /// Answer templates by skill name.
    public let templates: [String: AnswerTemplate]

    public init(rules: AnswerRules, templates: [String: AnswerTemplate]) { (self.rules, self.templates) = (rules, templates) }

    /// The first marker of internal text in `text`, if any. A marker that `userText` (text of the user's own:
    /// what the image says) holds too is the user's, not internal: a page may well say "error:".
    public func internalText(in text: String, userText: [String] = []) -> String? {
        Self.internalText(in: text, markers: rules.internalMarkers, userText: userText)
    }

    /// The first of `markers` (lower case) or of the structural signs of internal text in `text` that
    /// `userText` does not hold.
    public static func internalText(in text: String, markers: [String], userText: [String] = []) -> String? {
        let lower = text.lowercased()
        let user = userText.map { $0.lowercased() }
        func theirs(_ marker: String) -> Bool { user.contains { $0.contains(marker) } }
        if let marker = markers.first(where: { lower.contains($0) && !theirs($0) }) { return marker }
        guard let structural = structuralInternalText(in: text), !theirs(structural) else { return nil }
        return structural
    }

    /// Internal text by its shape rather than its words: markup (`<tag`, `<|`), JSON (`{"`), or a raw box
    /// (`[0.12,0.3,0.5,0.9]`, four numbers in brackets, as observation lines write them).
    public static func structuralInternalText(in text: String) -> String? {
        let lower = text.lowercased()
        if lower.contains("<|") { return "<|" }
        if lower.contains("{\"") { return "{\"" }
        let chars = Array(lower)
        for (i, c) in chars.enumerated() where c == "<" && i + 1 < chars.count && (chars[i + 1].isLetter || chars[i + 1] == "/") { return "<" + String(chars[i + 1]) }
        var i = lower.startIndex
        while let open = lower[i...].firstIndex(of: "[") {
            guard let close = lower[open...].firstIndex(of: "]") else { break }
            let parts = lower[lower.index(after: open)..<close].split(separator: ",")
            if parts.count == 4, parts.allSatisfy({ Double($0.trimmingCharacters(in: .whitespaces)) != nil }) { return String(lower[open...close]) }
            i = close
        }
        return nil
    }

    /// Checks `answer` to `request` against the turn's observations (in order; the last one decides the
    /// template) and returns it, or the template's answer with the reasons.
    /// A new image the answer does not name is named at its end.
    public func check(_ answer: String, request: String, observations: [Observation]) -> Verdict {
        let problems = self.problems(answer, request: request, observations: observations)
        let text = problems.isEmpty ? answer.trimmingCharacters(in: .whitespacesAndNewlines) : templateAnswer(request: request, observations: observations)
        return Verdict(answer: naming(text, observations: observations), problems: problems)
    }

    /// The text of the user's own among `observations`: what was read in the image (fact `text`).
    public static func userText(_ observations: [Observation]) -> [String] {
        observations.filter { $0.error == nil }.compactMap { $0.facts["text"] }
    }

    /// `answer`, with the last image the turn made named at its end unless it names one of them (whole words).
    public func namingNewImage(_ answer: String, observations: [Observation]) -> String {
        // Overlays and retrieve's found photos ("result 1: …") are not what the user asked to be made.
        let made = observations.filter { $0.error == nil }.flatMap {
            $0.artifacts.filter { !$0.what.hasPrefix("overlay") && !$0.what.hasPrefix("result ") && $0.handle.hasPrefix("img") }.map(\.handle)
        }
        guard let last = made.last else { return answer }
        let named = Set(Self.words(answer.lowercased()))
        if made.contains(where: named.contains) { return answer }
        return Self.appending(AnswerTemplate.fill(rules.newImage, facts: ["handle": last]), to: answer)
    }

    /// `answer` with the library photo it came from and the image the turn made named, where it does not name them.
    public func naming(_ answer: String, observations: [Observation]) -> String {
        namingNewImage(namingSource(answer, observations: observations), observations: observations)
    }

    /// `sentence` after `answer`, which is ended with a full stop if it has no end mark.
    static func appending(_ sentence: String, to answer: String) -> String {
        answer.isEmpty ? sentence : answer + (answer.hasSuffix(".") || answer.hasSuffix("!") || answer.hasSuffix("?") ? " " : ". ") + sentence
    }

    /// `answer`, with the library photo the deciding observation looked at named at its end (an earlier step's
    /// found photo, "result 1: page.jpg", read or edited after retrieve), unless the answer names it.
    public func namingSource(_ answer: String, observations: [Observation]) -> String {
        guard let deciding = observations.last, deciding.error == nil, let handle = deciding.image,
              let what = observations.dropLast().flatMap(\.artifacts).last(where: { $0.handle == handle })?.what,
              what.hasPrefix("result "), let colon = what.firstIndex(of: ":") else { return answer }
        let file = what[what.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !file.isEmpty, !answer.lowercased().contains(file.lowercased()) else { return answer }
        return Self.appending(AnswerTemplate.fill(rules.fromSource, facts: ["source": file]), to: answer)
    }

    /// Everything wrong with `answer`.
    public func problems(_ answer: String, request: String, observations: [Observation]) -> [Problem] {
        let text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.contains(where: { $0.isLetter || $0.isNumber }) else { return [.empty] }
        var problems: [Problem] = []
        if let marker = internalText(in: text, userText: Self.userText(observations)) { problems.append(.internalText(marker)) }
        guard let deciding = observations.last else { return problems }
        // The last step failed: only its template knows what to say (the planner may pretend it worked).
        if deciding.error != nil { return problems + [.failed(deciding.skill)] }
        // Numbers: each must be said by the request or a fact, or be a decimal of an observation line.
        var allowed = numbers(in: request)
        for o in observations {
            for v in o.facts.values { allowed.formUnion(numbers(in: v)) }
            for line in o.lines + o.artifacts.map(\.what) {
                allowed.formUnion(numbers(in: line).filter { $0 != $0.rounded() })
                for quoted in quotes(in: line) { allowed.formUnion(numbers(in: quoted)) }
            }
        }
        for n in numbers(in: text) where !allowed.contains(n) { problems.append(.number(format(n))) }
        // Quotes: each must be text an observation holds.
        let source = Self.squeezed((observations.flatMap { $0.lines + Array($0.facts.values) } + [request]).joined(separator: "\n"))
        for q in quotes(in: text) where q.count >= 2 && !source.contains(Self.squeezed(q)) { problems.append(.quote(q)) }
        // The facts the deciding observation's section requires.
        if let section = section(for: deciding) {
            let lowerRequest = request.lowercased()
            var required = section.must
            for rule in section.mustWhenAsked where rule.cues.contains(where: lowerRequest.contains) { required += rule.facts }
            for key in required where !holds(text, key: key, facts: deciding.facts) { problems.append(.missing(key)) }
        }
        return problems
    }

    /// The answer the deciding observation's template gives (or the fallbacks of `answers.json`).
    public func templateAnswer(request: String, observations: [Observation]) -> String {
        guard let deciding = observations.last else { return rules.noToolFallback }
        if deciding.error != nil {
            return templates[deciding.skill]?.sections["failed"]?.text ?? rules.failed
        }
        if let section = section(for: deciding), !section.text.isEmpty {
            let lower = request.lowercased()
            let text = section.textWhenAsked.first { $0.cues.contains(where: lower.contains) }?.text ?? section.text
            return AnswerTemplate.fill(text, facts: deciding.facts)
        }
        let lines = deciding.lines.prefix(6).joined(separator: "; ")
        return AnswerTemplate.fill(rules.defaultTemplate, facts: ["skill": deciding.skill, "lines": lines])
    }

    /// Whether the turn's answer is its template's alone (a failed step, or a section marked `by: template`),
    /// so the planner need not be asked.
    public func templateOnly(observations: [Observation]) -> Bool {
        guard let deciding = observations.last else { return false }
        return deciding.error != nil || section(for: deciding)?.templateOnly == true
    }

    func section(for o: Observation) -> AnswerTemplate.Section? {
        guard let template = templates[o.skill] else { return nil }
        return template.sections[o.facts["situation"] ?? ""]
    }

    /// Whether `answer` states the fact `key` (`negative`: a word of refusal).
    func holds(_ answer: String, key: String, facts: [String: String]) -> Bool {
        let lower = answer.lowercased()
        let words = Set(Self.words(lower))
        if key == "negative" {
            return rules.negative.contains { $0.contains("'") ? lower.contains($0) : words.contains($0) }
        }
        guard let value = facts[key], !value.isEmpty else { return true }
        let said = numbers(in: answer)
        for alternative in value.split(separator: "|").map({ $0.trimmingCharacters(in: .whitespaces) }) where !alternative.isEmpty {
            if let n = Double(alternative) { if said.contains(n) { return true } else { continue } }
            if alternative.count > rules.longFactCharacters || Self.words(alternative).count >= 4 {
                let need = Set(Self.words(alternative.lowercased()).filter { $0.count >= 3 })
                if !need.isEmpty, Double(need.intersection(words).count) >= rules.longFactShare * Double(need.count) { return true }
                continue
            }
            if Self.squeezed(lower).contains(Self.squeezed(alternative)) { return true }
        }
        return false
    }

    /// The numbers a text states: digit groups (not inside words such as "img2") and number words.
    func numbers(in text: String) -> Set<Double> {
        var out = Set<Double>()
        let tokens = text.split { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "," || $0 == "'") }
        var previous = ""
        for (i, raw) in tokens.enumerated() {
            var token = String(raw)
            while let last = token.last, ".,'".contains(last) { token.removeLast() }
            let lower = token.lowercased()
            if token.contains(where: \.isNumber) {
                guard !token.contains(where: \.isLetter) else { previous = lower; continue }
                let plain = token.replacingOccurrences(of: ",", with: "")   // "1,000"
                if let v = Double(plain) { out.insert(v) }
            } else if let v = rules.numberWords[lower] {
                // "the one on the left", "one of them", "one on each side": a pronoun, not a count.
                let next = i + 1 < tokens.count ? tokens[i + 1].lowercased() : ""
                let pronoun = lower == "one" && (rules.oneAfter.contains(previous) || rules.oneBefore.contains(next))
                if !pronoun { out.insert(Double(v)) }
            }
            previous = lower
        }
        return out
    }

    func format(_ n: Double) -> String { n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n) }

    /// Text between straight or curly double quotes.
    func quotes(in text: String) -> [String] {
        var out: [String] = [], current: String?
        for c in text {
            if c == "\"" || c == "“" || c == "”" {
                if let q = current { out.append(q); current = nil } else { current = "" }
            } else if current != nil {
                current!.append(c)
            }
        }
        return out.map { $0.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)) }.filter { !$0.isEmpty }
    }

    static func words(_ text: String) -> [String] {
        text.split { !($0.isLetter || $0.isNumber || $0 == "'") }.map(String.init)
    }

    /// Lower case, letters and digits only, single spaces: for comparing quotes with observations.
    static func squeezed(_ text: String) -> String {
        String(text.lowercased().map { (c: Character) -> Character in c.isLetter || c.isNumber ? c : " " })
            .split(separator: " ").map(String.init).joined(separator: " ")
    }
}
