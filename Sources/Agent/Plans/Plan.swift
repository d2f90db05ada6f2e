import Foundation
import ToolSchema

/// A plan: which skills a turn calls, in which order, and how each step's output feeds the next (DESIGN.md,
/// "Plans and answers"). Plans are data (`skills/plans.json`); a plan with no steps answers in words.
public struct Plan: Sendable, Equatable {
    /// One call of the plan.
    public struct Step: Sendable, Equatable {
        public var skill: String
        /// Arguments fixed to a value taken from an earlier step (`"$1.result.mask"`).
        public var set: [(key: String, reference: String)]
        /// Arguments restricted to the values an earlier step produced; the planner picks one.
        public var choose: [(key: String, reference: String)]
        /// Arguments the step may not use.
        public var drop: [String]
        /// Optional arguments the step must give (segment's `query` when the plan segments what the request names).
        public var require: [String]
        /// `set`/`choose` arguments the step goes without when the earlier step produced nothing for them
        /// (detect→ocr reads the whole image when the object was not found); any other missing value ends the plan.
        public var optional: [String]
        /// Arguments restricted to some of the values their schema allows (segment→edit's `operation`: the edits
        /// that make sense on a mask, never `crop` or `rotate`); the planner picks one.
        public var allow: [(key: String, values: [JSONValue])]

        public init(skill: String, set: [(key: String, reference: String)] = [], choose: [(key: String, reference: String)] = [], drop: [String] = [],
                    require: [String] = [], optional: [String] = [], allow: [(key: String, values: [JSONValue])] = []) {
            (self.skill, self.set, self.choose, self.drop, self.require, self.optional) = (skill, set, choose, drop, require, optional)
            self.allow = allow
        }

        public static func == (a: Step, b: Step) -> Bool {
            a.skill == b.skill && a.drop == b.drop && a.require == b.require && a.optional == b.optional && a.set.map { "\($0.key)=\($0.reference)" } == b.set.map { "\($0.key)=\($0.reference)" }
                && a.choose.map { "\($0.key)=\($0.reference)" } == b.choose.map { "\($0.key)=\($0.reference)" }
                && a.allow.map { "\($0.key)=\($0.values)" } == b.allow.map { "\($0.key)=\($0.values)" }
        }
    }

    public var name: String
    public var description: String
    public var steps: [Step]
    /// Few-shot examples shown when this plan is followed (nil: the planner's default, `planner.examples`): a plan
    /// whose last step picks among many ways (segment→edit's operations) is better shown more than one.
    public var examples: Int?

    public init(name: String, description: String = "", steps: [Step], examples: Int? = nil) {
        (self.name, self.description, self.steps, self.examples) = (name, description, steps, examples)
    }

    /// The skills called, in order.
    public var skills: [String] { steps.map(\.skill) }

    /// Reads one plan of `skills/plans.json`; `file` and `index` name it in errors.
    init(json: JSONValue, file: String, index: Int) throws {
        func fail(_ reason: String) -> AgentError { .prompt(file: file, reason: "plans[\(index)]: \(reason)") }
        guard let name = json["name"]?.stringValue, !name.isEmpty, name.count <= 64 else {
            throw fail("\"name\" must be a non-empty string of at most 64 characters")
        }
        guard let list = json["steps"]?.arrayValue, list.count <= 8 else {
            throw fail("plan \(name): \"steps\" must be an array of at most 8 steps")
        }
        func pairs(_ value: JSONValue?, _ field: String, step: Int) throws -> [(key: String, reference: String)] {
            guard let value else { return [] }
            guard let members = value.objectValue else { throw fail("plan \(name), step \(step + 1): \"\(field)\" must be an object of ARGUMENT: \"$N.path\"") }
            return try members.map { key, v in
                guard let ref = v.stringValue, PlanReference(ref) != nil else {
                    throw fail("plan \(name), step \(step + 1): \(field).\(key) must be a reference like \"$1.result.mask\" (got \(v))")
                }
                if let n = PlanReference(ref)?.step, n > step || n < 1 {
                    throw fail("plan \(name), step \(step + 1): \(field).\(key) refers to step \(n), which does not come before it")
                }
                return (key, ref)
            }
        }
        steps = try list.enumerated().map { i, s in
            guard let skill = s["skill"]?.stringValue, !skill.isEmpty else { throw fail("plan \(name), step \(i + 1): \"skill\" is missing") }
            let drop = s["drop"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let require = s["require"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let optional = s["optional"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let set = try pairs(s["set"], "set", step: i), choose = try pairs(s["choose"], "choose", step: i)
            for key in optional where !(set + choose).contains(where: { $0.key == key }) {
                throw fail("plan \(name), step \(i + 1): optional \"\(key)\" is neither set nor chosen from an earlier step")
            }
            var allow: [(key: String, values: [JSONValue])] = []
            if let value = s["allow"] {
                guard let members = value.objectValue else { throw fail("plan \(name), step \(i + 1): \"allow\" must be an object of ARGUMENT: [values]") }
                for (key, v) in members {
                    guard let values = v.arrayValue, !values.isEmpty, values.count <= 64 else {
                        throw fail("plan \(name), step \(i + 1): allow.\(key) must be a list of 1 to 64 values (got \(v))")
                    }
                    allow.append((key, values))
                }
            }
            return Step(skill: skill, set: set, choose: choose, drop: drop, require: require, optional: optional, allow: allow)
        }
        self.name = name
        description = json["description"]?.stringValue ?? ""
        if let value = json["examples"] {
            guard let n = value.intValue, (0...8).contains(n) else { throw fail("plan \(name): \"examples\" must be a whole number from 0 to 8 (got \(value))") }
            examples = n
        }
    }
}

/// `$N.path` — a value of step N of the current plan: `arguments.KEY` from its call, or a path into its
/// observation (`result.…` the skill's structured result, `artifacts[].handle`); `[]` flattens a list.
public struct PlanReference: Sendable, Equatable {
    /// 1-based step number.
    public let step: Int
    public let path: [String]

    public init?(_ text: String) {
        guard text.hasPrefix("$") else { return nil }
        let parts = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, let n = Int(first), n >= 1, parts.count >= 2, parts.dropFirst().allSatisfy({ !$0.isEmpty }) else { return nil }
        step = n
        path = Array(parts.dropFirst())
    }

    /// The values the path names in `root` (an object with `arguments` and the observation's JSON), flattened.
    public func values(in root: JSONValue) -> [JSONValue] {
        var current: [JSONValue] = [root]
        for component in path {
            let flatten = component.hasSuffix("[]")
            let key = flatten ? String(component.dropLast(2)) : component
            current = current.compactMap { $0[key] }
            if flatten { current = current.flatMap { $0.arrayValue ?? [] } }
        }
        return current.filter { $0 != .null }
    }
}
