import SkillKit
import ToolSchema

/// One entry of a turn's memory: the task, what the planner said, a call it made, what came back, an error,
/// or the final answer — with its duration and, for planner steps, token counts.
public struct AgentStep: Sendable {
    public enum Kind: String, Sendable { case task, plan, call, observation, error, answer }
    public var kind: Kind
    /// The task text, the planner's raw reply, the error message or the answer.
    public var text: String
    /// For calls and observations: the skill and its arguments.
    public var tool: String?
    public var arguments: JSONValue?
    public var observation: Observation?
    public var milliseconds: Double
    /// For planner steps.
    public var timing: PlannerTiming?

    public init(_ kind: Kind, text: String = "", tool: String? = nil, arguments: JSONValue? = nil, observation: Observation? = nil,
                milliseconds: Double = 0, timing: PlannerTiming? = nil) {
        (self.kind, self.text, self.tool, self.arguments, self.observation, self.milliseconds, self.timing) =
            (kind, text, tool, arguments, observation, milliseconds, timing)
    }

    /// The step as JSON (for `loupe run --json` and the session log).
    public var json: JSONValue {
        var m: [(key: String, value: JSONValue)] = [("kind", .string(kind.rawValue))]
        if !text.isEmpty { m.append(("text", .string(text))) }
        if let tool { m.append(("tool", .string(tool))) }
        if let arguments { m.append(("arguments", arguments)) }
        if let observation {
            m.append(("observation", .string(observation.text())))
            if let e = observation.error { m.append(("error", .string(e))) }
            m.append(("artifacts", .array(observation.artifacts.map { .string($0.handle) })))
        }
        m.append(("milliseconds", .number((milliseconds * 10).rounded() / 10)))
        if let t = timing {
            m.append(("planner", .object([
                ("prompt_tokens", .integer(t.promptTokens)), ("prompt_computed", .integer(t.promptComputed)),
                ("prefill_ms", .number(t.promptMilliseconds.rounded())), ("generated_tokens", .integer(t.generatedTokens)),
                ("decode_ms", .number(t.decodeMilliseconds.rounded())),
            ] + (t.plan.map { [("plan", JSONValue.string($0)), ("plan_probability", .number((Double(t.planProbability ?? 0) * 1000).rounded() / 1000))] } ?? []))))
        }
        return .object(m)
    }
}
