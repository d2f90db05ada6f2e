import Foundation
import ToolSchema

/// The plans the agent may choose from: those of `skills/plans.json` whose skills can all run, and a one-step
/// plan named after every other skill that can run (a plugin's tool), so a new skill is reachable at once.
public struct PlanCatalog: Sendable {
    /// The plans, in the order declared (the no-tool plan first when there is one).
    public let plans: [Plan]

    public init(plans: [Plan]) { self.plans = plans }

    /// `skills/plans.json` parsed, at most 1 MiB.
    static func document(_ file: URL) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: file.path), data.count <= 1 << 20,
              let text = String(data: data, encoding: .utf8) else {
            throw AgentError.prompt(file: file.path, reason: "missing, unreadable or over 1 MiB (it declares the agent's plans; it ships in the repository's skills/)")
        }
        do { return try JSONParser.parse(text) } catch { throw AgentError.prompt(file: file.path, reason: "not JSON: \(error)") }
    }

    /// Reads `file` (`skills/plans.json`): `{"plans": [{"name", "description", "steps": [{"skill", "set", "choose", "drop"}]}]}`.
    public static func read(_ file: URL) throws -> [Plan] {
        let json = try document(file)
        guard let list = json["plans"]?.arrayValue, !list.isEmpty else {
            throw AgentError.prompt(file: file.path, reason: "\"plans\" must be a non-empty array")
        }
        let plans = try list.enumerated().map { try Plan(json: $1, file: file.path, index: $0) }
        var seen = Set<String>()
        for p in plans where !seen.insert(p.name).inserted {
            throw AgentError.prompt(file: file.path, reason: "plan \"\(p.name)\" is declared twice")
        }
        return plans
    }

    /// The declared plans whose skills are all in `available`, then a one-step plan for each skill of `available`
    /// that no declared plan calls alone (its name is the skill's, unless a declared plan already has that name).
    public init(declared: [Plan], available: [String]) {
        let have = Set(available)
        var plans = declared.filter { $0.skills.allSatisfy(have.contains) }
        let alone = Set(plans.filter { $0.steps.count == 1 }.map { $0.steps[0].skill })
        var names = Set(plans.map(\.name))
        for skill in available where !alone.contains(skill) {
            var name = skill
            while names.contains(name) { name += "-alone" }
            names.insert(name)
            plans.append(Plan(name: name, description: "the \(skill) skill", steps: [Plan.Step(skill: skill)]))
        }
        self.plans = plans
    }

    public func plan(named name: String) -> Plan? { plans.first { $0.name == name } }

    /// The planner settings of `skills/plans.json` ("planner": {"examples", "chat_examples", "answer_tokens"}):
    /// few-shot examples shown with a call step's request and with a no-skill request, and the longest answer.
    public static func plannerSettings(_ file: URL) throws -> (examples: Int, chatExamples: Int, answerTokens: Int) {
        let p = try document(file)["planner"]
        func int(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let v = p?[key] else { return fallback }
            guard let i = v.intValue, range.contains(i) else { throw AgentError.prompt(file: file.path, reason: "planner.\(key) must be an integer in \(range)") }
            return i
        }
        return (try int("examples", 2, 0...8), try int("chat_examples", 1, 0...8), try int("answer_tokens", 90, 8...1024))
    }

    /// The classifier settings of `skills/plans.json` ("classifier": {"word_buckets", "word_scale", "letter_triples", "epochs",
    /// "learning_rate", "l2"}); defaults for what is not given.
    public static func classifierSettings(_ file: URL) throws -> (options: PlanClassifier.Options, words: WordFeatures) {
        let json = try document(file)
        var options = PlanClassifier.Options(), words = WordFeatures()
        guard let c = json["classifier"] else { return (options, words) }
        func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let v = c[key] else { return nil }
            guard let d = v.doubleValue, range.contains(d) else {
                throw AgentError.prompt(file: file.path, reason: "classifier.\(key) must be a number in \(range.lowerBound)…\(range.upperBound)")
            }
            return d
        }
        if let v = try number("word_buckets", 0...65_536) { words.buckets = Int(v) }
        if let v = try number("word_scale", 0...100) { words.scale = Float(v) }
        if let v = c["letter_triples"]?.boolValue { words.letterTriples = v }
        if let v = try number("epochs", 1...100_000) { options.epochs = Int(v) }
        if let v = try number("learning_rate", 1e-6...10) { options.learningRate = Float(v) }
        if let v = try number("l2", 0...10) { options.l2 = Float(v) }
        return (options, words)
    }

    /// The plan that calls no skill, if any.
    public var answerPlan: Plan? { plans.first { $0.steps.isEmpty } }
}
