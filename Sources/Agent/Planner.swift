import LLM
import SkillKit
import ToolSchema

/// What the planner is asked at one step of a turn: the tools, the conversation so far, and what kind of step
/// it is — the argument-writing of one plan step (`call`: exactly one call of that tool, whose schema the plan
/// has narrowed), the answer in words, or, without a plan, a free choice between calling and answering.
public struct PlannerRequest: Sendable {
    public enum Mode: Sendable {
        /// Calls or answers as it likes (planners that choose no plan, e.g. a script).
        case free
        /// Exactly one call of this tool.
        case call(ToolSpec)
        /// An answer in words, no call.
        case answer
    }

    public var tools: [ToolSpec]
    /// Few-shot examples, one block per skill (from `skills/*/examples.md`).
    public var examples: [(skill: String, text: String)]
    public var messages: [AgentMessage]
    /// In free mode: whether a call is allowed (the last step of a turn must answer).
    public var allowTools: Bool
    public var mode: Mode
    /// The plan of the turn, when one was chosen.
    public var plan: Plan?

    public init(tools: [ToolSpec], examples: [(skill: String, text: String)], messages: [AgentMessage], allowTools: Bool,
                mode: Mode = .free, plan: Plan? = nil) {
        (self.tools, self.examples, self.messages, self.allowTools, self.mode, self.plan) = (tools, examples, messages, allowTools, mode, plan)
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

    /// A raw planner reply read by `ToolCallParser`: its words, the calls it makes, and why each call that
    /// cannot be read cannot.
    public init(reply: String, timing: PlannerTiming = PlannerTiming()) {
        self.init(parsed: ToolCallParser.parse(reply), timing: timing)
    }

    /// A reply `ToolCallParser` has read.
    public init(parsed: ToolCallParser.Result, timing: PlannerTiming = PlannerTiming()) {
        let malformed = parsed.items.compactMap { item -> String? in
            if case let .malformed(text, reason) = item { return "the call \(text.prefix(200).debugDescription) cannot be read: \(reason)" }
            return nil
        }
        self.init(text: parsed.text, calls: parsed.calls, malformed: malformed, timing: timing)
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
    /// At the first step of a turn: the plan chosen, its probability and the milliseconds the choice took.
    public var plan: String?
    public var planProbability: Float?
    public var planMilliseconds: Double?

    public init() {}
}

/// Decides the moves of a turn. `onText` receives the reply's text as it is generated (for streaming);
/// `isCancelled` is polled between tokens.
public protocol Planner: Sendable {
    func plan(_ request: PlannerRequest, onText: @escaping @Sendable (String) -> Void, isCancelled: @escaping @Sendable () -> Bool) async throws -> PlannerDecision
    /// The plan for the user's words, or nil to decide step by step (free mode).
    func choosePlan(for request: String) async throws -> PlanChooser.Choice?
}

extension Planner {
    public func choosePlan(for request: String) async throws -> PlanChooser.Choice? { nil }
}
