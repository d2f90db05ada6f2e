import SkillKit
import ToolSchema

/// What the planner is asked: the tools it may call, their few-shot examples, the conversation so far, and
/// whether it may call a tool at all (the last step of a turn must answer).
public struct PlannerRequest: Sendable {
    public var tools: [ToolSpec]
    /// Few-shot examples, one block per skill (from `skills/*/examples.md`).
    public var examples: [(skill: String, text: String)]
    public var messages: [AgentMessage]
    public var allowTools: Bool

    public init(tools: [ToolSpec], examples: [(skill: String, text: String)], messages: [AgentMessage], allowTools: Bool) {
        (self.tools, self.examples, self.messages, self.allowTools) = (tools, examples, messages, allowTools)
    }
}

/// The planner's move: text, and the calls to make (none means `text` is the answer). A call that could not
/// be read is reported in `malformed` so the loop can tell the planner.
public struct PlannerDecision: Sendable {
    public var text: String
    public var calls: [ToolCall]
    public var malformed: [String]
    public var timing: PlannerTiming

    public init(text: String, calls: [ToolCall] = [], malformed: [String] = [], timing: PlannerTiming = PlannerTiming()) {
        (self.text, self.calls, self.malformed, self.timing) = (text, calls, malformed, timing)
    }
}

/// Where a planner step's time went.
public struct PlannerTiming: Sendable {
    public var promptTokens = 0
    /// Prompt tokens computed (the rest came from the prefix cache).
    public var promptComputed = 0
    public var promptMilliseconds = 0.0
    public var generatedTokens = 0
    public var decodeMilliseconds = 0.0
    /// The router's call-or-answer decision at the first step of a turn.
    public var route: SkillRouter.Route?

    public init() {}
}

/// Decides the next move of a turn. `onText` receives the reply's text as it is generated (for streaming);
/// `isCancelled` is polled between tokens.
public protocol Planner: Sendable {
    func plan(_ request: PlannerRequest, onText: @escaping @Sendable (String) -> Void, isCancelled: @escaping @Sendable () -> Bool) async throws -> PlannerDecision
}
