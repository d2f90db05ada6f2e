import Foundation
import ToolSchema

/// Scoring of agent runs against evaluation cases (`loupe eval`). A case is one JSON line:
///
/// ```json
/// {"id": "sign-1", "kind": "ocr", "image": "ocr_kodak_card.png", "instruction": "what does the sign say?",
///  "tools": ["ocr"], "arguments": [{"image": "img0"}], "facts": [["Kodak", "Tiffen"]]}
/// ```
/// `tools` is the expected ordered list of skills (empty: no tool should be called); `arguments` the expected
/// subset of each call's arguments (strings match case-insensitively by containment, numbers within 1%);
/// `facts` the things the answer must mention, each a list of acceptable spellings.
public enum Evaluation {
    public struct Case: Sendable {
        public let id: String, kind: String, instruction: String
        public let image: String?
        public let tools: [String]
        public let arguments: [JSONValue]
        public let facts: [[String]]

        /// Reads one JSON line; `line` is its number for error messages.
        public init(json: JSONValue, line: Int) throws {
            guard let instruction = json["instruction"]?.stringValue, !instruction.isEmpty else {
                throw AgentError.prompt(file: "case on line \(line)", reason: "\"instruction\" (a non-empty string) is missing")
            }
            guard let tools = json["tools"]?.arrayValue?.compactMap(\.stringValue) else {
                throw AgentError.prompt(file: "case on line \(line)", reason: "\"tools\" (the expected skills in order, [] for none) is missing")
            }
            self.instruction = instruction
            self.tools = tools
            id = json["id"]?.stringValue ?? "line-\(line)"
            kind = json["kind"]?.stringValue ?? (tools.first ?? "no-tool")
            image = json["image"]?.stringValue
            arguments = json["arguments"]?.arrayValue ?? []
            facts = (json["facts"]?.arrayValue ?? []).map { f in f.arrayValue?.compactMap(\.stringValue) ?? f.stringValue.map { [$0] } ?? [] }
        }
    }

    /// What one run scored.
    public struct Outcome: Sendable {
        public let id: String, kind: String
        public let expectedTools: [String], calledTools: [String]
        public var toolsCorrect: Bool { calledTools == expectedTools }
        /// Expected argument values matched, and how many were expected — over cases whose skills are right
        /// (0 when the skills differ: that is counted by tool selection).
        public let argumentsMatched: Int, argumentsExpected: Int
        public let factsFound: Int, factsExpected: Int
        public let answer: String
        public let seconds: Double
        /// The internal text the answer shows (markup, chat tokens, errors, hints, raw observation lines), if any.
        public let internalMarker: String?
        public var internalText: Bool { internalMarker != nil }
        /// The agent stopped with an error instead of answering (the answer is that error).
        public var plannerFailed = false
        /// Expected argument values not matched: "query: wanted person, got dog".
        public var argumentMisses: [String] = []
    }

    /// Scores one run: the calls it made (skill, arguments, in order) and its answer.
    /// `markers` are lower-case strings that only internal text contains (`skills/answers.json` "internal");
    /// `userText` is text of the user's own (what the image says, read by ocr), where a marker is no sign of
    /// internal text.
    public static func score(_ c: Case, calls: [(tool: String, arguments: JSONValue)], answer: String, seconds: Double,
                             markers: [String] = [], userText: [String] = []) -> Outcome {
        let called = calls.map(\.tool)
        var matched = 0, expected = 0
        var misses: [String] = []
        if called == c.tools {
            for (i, want) in c.arguments.enumerated() where i < calls.count {
                for (key, value) in want.objectValue ?? [] {
                    expected += 1
                    if let got = calls[i].arguments[key], matches(got, value) { matched += 1 } else {
                        misses.append("\(key): wanted \(value.compactDescription), got \(calls[i].arguments[key]?.compactDescription ?? "nothing")")
                    }
                }
            }
        }
        let lower = answer.lowercased()
        let found = c.facts.filter { alts in alts.contains { lower.contains($0.lowercased()) } }.count
        var outcome = Outcome(id: c.id, kind: c.kind, expectedTools: c.tools, calledTools: called, argumentsMatched: matched,
                              argumentsExpected: expected, factsFound: found, factsExpected: c.facts.count, answer: answer, seconds: seconds,
                              internalMarker: internalMarker(answer, markers: markers, userText: userText))
        outcome.argumentMisses = misses
        return outcome
    }

    /// The text meant for the planner or the logs that `answer` carries, if any: one of `markers`, markup
    /// (`<tag`, `<|`), JSON (`{"`), or a raw box (`[0.12,0.3,0.5,0.9]`) — unless `userText` holds it too.
    public static func internalMarker(_ answer: String, markers: [String], userText: [String] = []) -> String? {
        AnswerChecker.internalText(in: answer, markers: markers, userText: userText)
    }

    static func matches(_ got: JSONValue, _ want: JSONValue) -> Bool {
        switch (got, want) {
        case let (.string(g), .string(w)):
            // "a|b": any of the alternatives.
            return w.split(separator: "|").contains { g.lowercased().contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }
        case let (.array(g), .array(w)): return g.count == w.count && zip(g, w).allSatisfy { matches($0, $1) }
        default:
            if let g = got.doubleValue, let w = want.doubleValue { return abs(g - w) <= max(1e-9, abs(w) * 0.01) }
            return got == want
        }
    }

    /// The scores over `outcomes`: tool-selection accuracy, argument accuracy, answer-fact recall, no-tool
    /// precision and recall (nil when nothing could be scored), answers with internal text, and seconds per case.
    public struct Scores: Sendable {
        public let cases: Int
        public let toolSelection: Double?, arguments: Double?, factRecall: Double?, noToolPrecision: Double?, noToolRecall: Double?
        public let internalText: Int
        /// Runs that ended in an agent error instead of an answer.
        public let plannerFailures: Int
        public let secondsPerCase: Double, medianSeconds: Double
    }

    public static func scores(_ outcomes: [Outcome]) -> Scores {
        func ratio(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
        let noToolCalled = outcomes.filter { $0.calledTools.isEmpty }
        return Scores(
            cases: outcomes.count,
            toolSelection: ratio(outcomes.filter(\.toolsCorrect).count, outcomes.count),
            arguments: ratio(outcomes.reduce(0) { $0 + $1.argumentsMatched }, outcomes.reduce(0) { $0 + $1.argumentsExpected }),
            factRecall: ratio(outcomes.reduce(0) { $0 + $1.factsFound }, outcomes.reduce(0) { $0 + $1.factsExpected }),
            noToolPrecision: ratio(noToolCalled.filter { $0.expectedTools.isEmpty }.count, noToolCalled.count),
            noToolRecall: ratio(outcomes.filter { $0.expectedTools.isEmpty && $0.calledTools.isEmpty }.count, outcomes.filter { $0.expectedTools.isEmpty }.count),
            internalText: outcomes.filter(\.internalText).count,
            plannerFailures: outcomes.filter(\.plannerFailed).count,
            secondsPerCase: outcomes.isEmpty ? 0 : outcomes.reduce(0) { $0 + $1.seconds } / Double(outcomes.count),
            medianSeconds: median(outcomes.map(\.seconds)))
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
