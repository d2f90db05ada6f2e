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
    public func double(_ key: String) -> Double? { json[key]?.doubleValue }
    public func int(_ key: String) -> Int? { json[key]?.intValue }

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
