import Foundation
import ToolSchema
import Vision

/// A capability the planner can call. Implementations validate nothing themselves beyond their domain: the
/// registry has already checked the arguments against the manifest's schema.
public protocol Skill: Sendable {
    var manifest: SkillManifest { get }
    /// Runs on validated `arguments`; images and masks come from and go to `artifacts`.
    func run(_ arguments: JSONValue, artifacts: Artifacts) async throws -> Observation
}

/// Typed access to validated arguments, with errors that name the argument.
public struct Arguments: Sendable {
    public let skill: String
    public let json: JSONValue

    public init(skill: String, json: JSONValue) { (self.skill, self.json) = (skill, json) }

    public func string(_ key: String) -> String? { json[key]?.stringValue }

    /// The image named by the `image` argument (default `img0`) and its handle.
    public func image(in artifacts: Artifacts) throws -> (handle: String, image: RGBImage) {
        let handle = string("image") ?? "img0"
        return (handle, try artifacts.image(handle))
    }
    /// A number, or a string that is one with a unit of length or angle after it ("300px", "90 degrees").
    public func double(_ key: String) -> Double? {
        if let v = json[key]?.doubleValue { return v }
        return string(key).flatMap(Self.measure)
    }

    /// A whole number, or a string that is one with a unit after it ("300px").
    public func int(_ key: String) -> Int? {
        if let v = json[key]?.intValue { return v }
        guard let d = string(key).flatMap(Self.measure), d == d.rounded(), abs(d) < 1e9 else { return nil }
        return Int(d)
    }

    /// A numeric argument that is optional but, when given, must be a finite number (or "300px") within `range`,
    /// and whole when `whole`: nil when absent; anything else is an error naming the argument (never silently
    /// replaced by a default or clamped: rotate by 1e20 or blur radius "abc" is refused).
    public func number(_ key: String, in range: ClosedRange<Double>, whole: Bool = false) throws -> Double? {
        guard let raw = json[key], raw != .null else { return nil }
        let v = raw.doubleValue ?? raw.stringValue.flatMap(Self.measure)
        guard let v, v.isFinite else {
            throw SkillError.invalidArguments(skill: skill, reason: "\"\(key)\" must be a number, got \(raw.compactDescription.prefix(60))")
        }
        guard range.contains(v), !whole || v == v.rounded() else {
            let what = whole ? "a whole number" : "a number"
            func shown(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
            throw SkillError.invalidArguments(skill: skill, reason: "\"\(key)\" must be \(what) from \(shown(range.lowerBound)) to \(shown(range.upperBound)), got \(shown(v))")
        }
        return v
    }

    /// Units a numeric argument may be written with.
    static let units: Set<String> = ["px", "pixel", "pixels", "°", "deg", "degree", "degrees"]

    /// The value of "300", "300px", "300 pixels" or "-90°"; nil for anything else (other words, NaN, no digits).
    public static func measure(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let end = t.firstIndex { !($0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+")) } ?? t.endIndex
        let number = t[..<end]
        guard number.contains(where: \.isNumber), let v = Double(number), v.isFinite else { return nil }
        let unit = t[end...].trimmingCharacters(in: .whitespaces)
        return unit.isEmpty || units.contains(unit) ? v : nil
    }

    /// A text argument that names something in words (a query, a target): nil when absent or blank; an error
    /// naming the argument when it holds control characters or no letter or digit at all.
    public func phrase(_ key: String) throws -> String? {
        guard let raw = string(key) else { return nil }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        guard !text.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }),
              text.contains(where: { $0.isLetter || $0.isNumber }) else {
            throw SkillError.invalidArguments(skill: skill, reason: "\"\(key)\" must name a thing in words; it holds control characters or no letter or digit")
        }
        return text
    }

    public func require(_ key: String) throws -> String {
        guard let v = string(key), !v.isEmpty else { throw SkillError.invalidArguments(skill: skill, reason: "\"\(key)\" is required") }
        return v
    }

    /// A box `[x0, y0, x1, y1]` normalised to 0…1 with x0 < x1, y0 < y1.
    public func box(_ key: String) throws -> [Double]? {
        guard let raw = json[key] else { return nil }
        guard let a = raw.arrayValue?.compactMap(\.doubleValue), a.count == 4, a.allSatisfy({ $0 >= 0 && $0 <= 1 }), a[0] < a[2], a[1] < a[3] else {
            throw SkillError.invalidArguments(skill: skill, reason: "\"\(key)\" must be [x0, y0, x1, y1] in 0…1 with x0 < x1 and y0 < y1, got \(raw)")
        }
        return a
    }

    /// A point `[x, y]` normalised to 0…1.
    public func point(_ key: String) throws -> [Double]? {
        guard let raw = json[key] else { return nil }
        guard let a = raw.arrayValue?.compactMap(\.doubleValue), a.count == 2, a.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
            throw SkillError.invalidArguments(skill: skill, reason: "\"\(key)\" must be [x, y] in 0…1, got \(raw)")
        }
        return a
    }
}
