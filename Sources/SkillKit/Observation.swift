import Foundation
import ToolSchema

/// What a skill returns: compact lines for the model (symbolic visual tokens), handles of the artifacts it
/// made, and the same result as structured JSON for `--json` and logs.
public struct Observation: Sendable {
    public var skill: String
    /// The image the skill looked at, and its size.
    public var image: String?
    public var size: (width: Int, height: Int)?
    /// One fact per line, numbers rounded.
    public var lines: [String]
    /// Handles made by this call (`img2`, `mask1`, …) with what each is.
    public var artifacts: [(handle: String, what: String)]
    public var data: JSONValue
    /// The result in words for answers: named facts a skill's answer template (`skills/NAME/answer.md`) fills
    /// in and the answer checker compares with what the planner wrote (`situation` picks the template section).
    public var facts: [String: String] = [:]
    /// Set for error observations: the error and what to do instead.
    public var error: String?
    public var hint: String?

    public init(skill: String, image: String? = nil, size: (width: Int, height: Int)? = nil, lines: [String] = [],
                artifacts: [(handle: String, what: String)] = [], data: JSONValue = .object([]), facts: [String: String] = [:]) {
        (self.skill, self.image, self.size, self.lines, self.artifacts, self.data, self.facts) = (skill, image, size, lines, artifacts, data, facts)
    }

    /// An observation reporting an error to the planner.
    public static func failure(skill: String, error: any Error) -> Observation {
        var o = Observation(skill: skill)
        o.error = "\(error)"
        o.hint = (error as? SkillError)?.hint ?? "try other arguments or another skill"
        o.data = .object([("error", .string(o.error!)), ("hint", .string(o.hint!))])
        return o
    }

    /// Characters of observation text shown to the model (about 300 tokens).
    public static let defaultBudget = 1200

    /// The observation as the model sees it, cut to `budget` characters on line boundaries.
    public func text(budget: Int = Observation.defaultBudget) -> String {
        var head = "<observation skill=\"\(skill)\""
        if let image { head += " image=\"\(image)\"" }
        if let size { head += " size=\"\(size.width)x\(size.height)\"" }
        head += ">"
        var body: [String] = []
        if let error {
            body.append("error: \(error)")
            if let hint { body.append("hint: \(hint)") }
        }
        body += lines
        body += artifacts.map { "\($0.handle): \($0.what)" }
        var out = head, used = head.count
        for (i, line) in body.enumerated() {
            if used + line.count + 1 > budget {
                out += "\n… \(body.count - i) more lines"
                break
            }
            out += "\n" + line
            used += line.count + 1
        }
        return out + "\n</observation>"
    }

    /// Structured form: skill, image, lines, artifacts, data, error.
    public var json: JSONValue {
        var m: [(key: String, value: JSONValue)] = [("skill", .string(skill))]
        if let image { m.append(("image", .string(image))) }
        if let size { m.append(("size", .array([.integer(size.width), .integer(size.height)]))) }
        m.append(("lines", .array(lines.map { .string($0) })))
        m.append(("artifacts", .array(artifacts.map { .object([("handle", .string($0.handle)), ("what", .string($0.what))]) })))
        m.append(("result", data))
        if !facts.isEmpty { m.append(("facts", .object(facts.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))) }
        if let error { m.append(("error", .string(error))) }
        if let hint { m.append(("hint", .string(hint))) }
        return .object(m)
    }
}

/// A number for observation text: at most `places` decimals, trailing zeros dropped ("0.5", "12", "0.97").
public func rounded(_ v: Double, places: Int = 2) -> String {
    var s = String(format: "%.\(max(0, places))f", v)
    if s.contains(".") {
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
    }
    return s == "-0" ? "0" : s
}
