/// Errors of the skill layer. Planner mistakes (unknown skill, bad arguments, unknown handle) carry a hint
/// and become error observations; the rest are bugs or I/O failures.
public enum SkillError: Error, CustomStringConvertible, Equatable {
    /// No skill of that name is registered.
    case unknownSkill(name: String, known: [String])
    /// The arguments do not satisfy the skill's schema: where, and what was expected.
    case invalidArguments(skill: String, reason: String)
    /// An image or mask handle that this session has not produced.
    case unknownHandle(String, known: [String])
    /// A handle of the wrong kind (a mask where an image is needed, or the reverse).
    case wrongHandleKind(String, expected: String)
    /// A skill.json that cannot be used: which file, which field, why.
    case badManifest(file: String, reason: String)
    /// A model file the skill needs is not installed.
    case missingModel(skill: String, model: String, hint: String)
    /// The skill ran and failed on this input.
    case failed(skill: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownSkill(name, known): return "unknown skill \"\(name)\"; known skills: \(known.joined(separator: ", "))"
        case let .invalidArguments(skill, reason): return "\(skill): invalid arguments: \(reason)"
        case let .unknownHandle(h, known):
            return "unknown handle \"\(h)\"; this session has \(known.isEmpty ? "no images yet" : known.joined(separator: ", "))"
        case let .wrongHandleKind(h, expected): return "\"\(h)\" is not \(expected)"
        case let .badManifest(file, reason): return "\(file): \(reason)"
        case let .missingModel(skill, model, hint): return "\(skill) needs model \(model), which is not installed (\(hint))"
        case let .failed(skill, reason): return "\(skill) failed: \(reason)"
        }
    }

    /// What the planner should do differently, for error observations.
    public var hint: String {
        switch self {
        case let .unknownSkill(_, known): return "call one of: \(known.joined(separator: ", "))"
        case .invalidArguments: return "fix the arguments to match the skill's schema"
        case let .unknownHandle(_, known): return known.isEmpty ? "no image is attached; answer without tools" : "use one of: \(known.joined(separator: ", "))"
        case let .wrongHandleKind(_, expected): return "pass \(expected)"
        case .badManifest, .missingModel: return "this skill cannot run here; answer without it"
        case .failed: return "try other arguments or another skill"
        }
    }
}
