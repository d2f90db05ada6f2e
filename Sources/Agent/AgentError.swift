/// Errors of the agent layer that are not the planner's mistakes (those become error observations): a
/// planner that cannot run, a prompt file that cannot be read, a cancelled turn.
public enum AgentError: Error, CustomStringConvertible {
    /// The planner's prompt file is missing or unreadable.
    case prompt(file: String, reason: String)
    /// The planner failed for a reason that is not the model's choice (I/O, context overflow).
    case planner(String)
    /// The user interrupted the turn.
    case cancelled

    public var description: String {
        switch self {
        case let .prompt(file, reason): return "\(file): \(reason)"
        case let .planner(reason): return "planner failed: \(reason)"
        case .cancelled: return "interrupted"
        }
    }
}
