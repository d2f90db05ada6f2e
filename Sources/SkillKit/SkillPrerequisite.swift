import Foundation
import ToolSchema

/// A call the agent makes before a skill's call when that call uses a given argument — skill.json `before`:
///
/// ```json
/// "before": [{"when": "target", "call": "detect", "arguments": {"image": "$image", "query": "$target"}}]
/// ```
/// reads "when `edit` is called with a `target`, first call `detect` on the same image with that target as the
/// query" (unless this turn already made that call). The planner then sees what was found before the edit, and
/// the session shows it. Argument values are literal strings or `$name`, the value of the call's argument `name`.
public struct SkillPrerequisite: Sendable, Equatable {
    /// The argument whose presence (a non-empty string, number, array or object) triggers the prerequisite.
    public let when: String
    /// The skill to call first.
    public let skill: String
    /// Its arguments, in order: a literal string or `$name`.
    public let arguments: [(key: String, value: String)]

    public static func == (a: SkillPrerequisite, b: SkillPrerequisite) -> Bool {
        a.when == b.when && a.skill == b.skill && a.arguments.elementsEqual(b.arguments) { $0.key == $1.key && $0.value == $1.value }
    }

    public init(when: String, skill: String, arguments: [(key: String, value: String)]) {
        (self.when, self.skill, self.arguments) = (when, skill, arguments)
    }

    /// Reads one entry of `before`; `parameters` are the declaring skill's argument names, which `when` and every
    /// `$name` must be one of.
    init(json: JSONValue, parameters: Set<String>, file: String, index: Int) throws {
        func bad(_ reason: String) -> SkillError { .badManifest(file: file, reason: "before[\(index)]: \(reason)") }
        guard let when = json["when"]?.stringValue, parameters.contains(when) else {
            throw bad("\"when\" must name one of this skill's arguments (\(parameters.sorted().joined(separator: ", ")))")
        }
        guard let skill = json["call"]?.stringValue, SkillFolder.isValidName(skill) else {
            throw bad("\"call\" must be a skill name")
        }
        guard let object = json["arguments"]?.objectValue else {
            throw bad("\"arguments\" must be an object of strings (literal or \"$argument\")")
        }
        var arguments: [(key: String, value: String)] = []
        for (key, value) in object {
            guard let text = value.stringValue else { throw bad("argument \"\(key)\" must be a string (literal or \"$argument\")") }
            if text.hasPrefix("$"), !parameters.contains(String(text.dropFirst())) {
                throw bad("argument \"\(key)\" refers to \(text), which is not one of this skill's arguments")
            }
            arguments.append((key, text))
        }
        self.init(when: when, skill: skill, arguments: arguments)
    }

    /// The call to make before a call with `arguments`, or nil when `when` is absent or empty or a `$name` it
    /// refers to is missing.
    public func call(before arguments: JSONValue) -> ToolCall? {
        guard let trigger = arguments[when], Self.isPresent(trigger) else { return nil }
        var out: [(key: String, value: JSONValue)] = []
        for (key, template) in self.arguments {
            if template.hasPrefix("$") {
                guard let value = arguments[String(template.dropFirst())], Self.isPresent(value) else { return nil }
                out.append((key, value))
            } else {
                out.append((key, .string(template)))
            }
        }
        return ToolCall(name: skill, arguments: .object(out))
    }

    /// Whether `earlier` already is this call: the same skill with the same value for each of `call`'s arguments
    /// (strings compared without case or surrounding spaces).
    public static func covers(_ earlier: ToolCall, _ call: ToolCall) -> Bool {
        guard earlier.name == call.name, let wanted = call.arguments.objectValue else { return false }
        return wanted.allSatisfy { key, value in
            guard let other = earlier.arguments[key] else { return false }
            if let a = value.stringValue, let b = other.stringValue { return normalized(a) == normalized(b) }
            return other == value
        }
    }

    private static func normalized(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces).lowercased() }

    private static func isPresent(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case let .string(s): !s.trimmingCharacters(in: .whitespaces).isEmpty
        case let .array(a): !a.isEmpty
        default: true
        }
    }
}
