import ToolSchema

/// One message of the conversation the planner sees: the user's words, the planner's reply with the calls it
/// made, or the observation a call returned.
public struct AgentMessage: Sendable {
    public enum Role: String, Sendable { case user, assistant, tool }
    public var role: Role
    public var content: String
    /// The calls an assistant message made.
    public var calls: [ToolCall]

    public init(_ role: Role, _ content: String, calls: [ToolCall] = []) {
        (self.role, self.content, self.calls) = (role, content, calls)
    }
}
