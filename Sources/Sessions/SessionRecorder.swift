import Agent
import Foundation
import SkillKit
import ToolSchema

/// Writes an agent's turns to the store as they happen: a `task` step opens a turn, every later step is
/// committed on its own with the images and masks made since the previous one.
public final class SessionRecorder: @unchecked Sendable {
    public let store: SessionStore
    public let id: String
    private let artifacts: Artifacts
    private var stored = Set<String>()
    private var turn = 0, step = 0
    private let lock = NSLock()

    /// Starts a new session for `agent` (its artifacts are the ones stored).
    public init(store: SessionStore, agent: Agent, model: String, title: String) throws {
        self.store = store
        artifacts = agent.artifacts
        id = try store.createSession(model: model, title: title)
    }

    /// Continues session `id` (e.g. a chat resumed); new turns are numbered after the stored ones.
    public init(store: SessionStore, agent: Agent, continuing id: String) throws {
        self.store = store
        artifacts = agent.artifacts
        let log = try store.load(id)
        self.id = log.id
        turn = log.turns.map(\.index).max() ?? 0
        stored = Set(log.handles)
    }

    /// Stores `handle` again with the next step (after it was replaced, e.g. a new img0).
    public func forget(_ handle: String) {
        lock.withLock { _ = stored.remove(handle) }
    }

    /// Records `s` (call it for every step the agent reports).
    public func record(_ s: AgentStep) throws {
        try lock.withLock {
            let fresh = artifacts.handles.filter { !stored.contains($0) }.compactMap { h in artifacts.item(h).map { (handle: h, item: $0) } }
            if s.kind == .task {
                turn += 1
                step = 0
                try store.beginTurn(session: id, turn: turn, instruction: s.text, artifacts: fresh)
            } else {
                step += 1
                try store.record(session: id, turn: turn, step: step, kind: s.kind.rawValue, text: s.text, tool: s.tool, arguments: s.arguments,
                                 observation: s.observation, milliseconds: s.milliseconds, timing: s.timing.map(Self.json), artifacts: fresh)
            }
            for f in fresh { stored.insert(f.handle) }
        }
    }

    static func json(_ t: PlannerTiming) -> JSONValue {
        var m: [(key: String, value: JSONValue)] = [
            ("prompt_tokens", .integer(t.promptTokens)), ("prompt_computed", .integer(t.promptComputed)),
            ("prefill_ms", .number(t.promptMilliseconds.rounded())), ("generated_tokens", .integer(t.generatedTokens)),
            ("decode_ms", .number(t.decodeMilliseconds.rounded())),
        ]
        if let plan = t.plan {
            m.append(("plan", .string(plan)))
            if let p = t.planProbability { m.append(("plan_probability", .number((Double(p) * 1000).rounded() / 1000))) }
        }
        return .object(m)
    }
}
