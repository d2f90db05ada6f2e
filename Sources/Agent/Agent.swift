import Foundation
import SkillKit
import ToolSchema
import Vision

/// The loop of DESIGN.md: a user turn, then planner steps; each step either answers or makes calls, whose
/// observations join the conversation before the next step. Planner mistakes (a call that cannot be read, an
/// unknown skill, bad arguments, a failing skill) come back as error observations and the loop goes on, up to
/// `maxSteps` planner steps; the last one must answer.
public final class Agent: @unchecked Sendable {
    public let registry: SkillRegistry
    public let planner: any Planner
    /// The session's images and masks (`img0` is the user's image).
    public let artifacts = Artifacts()
    /// Planner steps per turn.
    public var maxSteps: Int
    /// The conversation so far (every turn).
    public private(set) var messages: [AgentMessage] = []
    /// Called with every step before the next one starts (the session recorder); its errors end the turn.
    public var recorder: ((AgentStep) throws -> Void)?
    private var imageNote: String?

    /// What happens during a turn, as it happens (for the REPL and logs).
    public enum Event: Sendable {
        case plannerText(String)
        case step(AgentStep)
    }

    public init(registry: SkillRegistry, planner: any Planner, maxSteps: Int = 5) {
        (self.registry, self.planner, self.maxSteps) = (registry, planner, max(1, maxSteps))
    }

    /// Attaches `image` as `img0` (replacing any earlier one); the next user message says so.
    public func attach(_ image: RGBImage, name: String) {
        artifacts.setUserImage(image)
        // The file name stays out of the prompt: a small planner answers from "sign.jpg" instead of looking.
        _ = name
        imageNote = "[image img0 attached, \(image.width)x\(image.height)]"
    }

    /// Forgets the conversation (the images stay).
    public func reset() { messages = [] }

    /// Runs one user turn; returns its steps (the last one is the answer).
    public func run(_ instruction: String, events: @escaping @Sendable (Event) -> Void = { _ in },
                    isCancelled: @escaping @Sendable () -> Bool = { false }) async throws -> [AgentStep] {
        func emit(_ step: AgentStep) throws {
            try recorder?(step)
            events(.step(step))
        }
        var steps: [AgentStep] = [AgentStep(.task, text: instruction)]
        try emit(steps[0])
        var content = instruction
        if let note = imageNote { content = note + "\n" + instruction; imageNote = nil }
        else if artifacts.item("img0") == nil, messages.isEmpty { content = "[no image attached]\n" + instruction }
        messages.append(AgentMessage(.user, content))

        let tools = registry.tools
        let examples = registry.entries.filter { $0.skill != nil && !$0.manifest.examples.isEmpty }.map { ($0.manifest.name, $0.manifest.examples) }
        var made: [(call: ToolCall, observation: Observation)] = []
        var mustAnswer = false
        for step in 0..<maxSteps {
            if isCancelled() { throw AgentError.cancelled }
            let last = step == maxSteps - 1 || mustAnswer
            let started = Date()
            let request = PlannerRequest(tools: tools, examples: examples, messages: messages, allowTools: !last && !tools.isEmpty)
            let decision = try await planner.plan(request, onText: { events(.plannerText($0)) }, isCancelled: isCancelled)
            let plan = AgentStep(.plan, text: decision.text, milliseconds: Date().timeIntervalSince(started) * 1000, timing: decision.timing)
            steps.append(plan)
            try emit(plan)
            if isCancelled() { throw AgentError.cancelled }

            if decision.calls.isEmpty && decision.malformed.isEmpty || last {
                var text = decision.text.trimmingCharacters(in: .whitespacesAndNewlines)
                // No words, or a small model's stock refusal after skills did the work: say what they found.
                let succeeded = made.contains { $0.observation.error == nil }
                if text.isEmpty || succeeded && Self.isRefusal(text) { text = Self.summary(of: made.map(\.observation)) }
                // The user needs to know where a new image is, even when the planner forgot to say.
                let images = made.filter { $0.observation.error == nil }.flatMap { Self.madeImages($0.observation) }
                let named = Set(text.split { !$0.isLetter && !$0.isNumber }.map(String.init))
                if let last = images.last, !images.contains(where: named.contains) { text += " The result is \(last)." }
                let answer = AgentStep(.answer, text: text)
                messages.append(AgentMessage(.assistant, answer.text))
                steps.append(answer)
                try emit(answer)
                return steps
            }
            let calls = withPrerequisites(decision.calls, after: made.map(\.call))
            messages.append(AgentMessage(.assistant, decision.text, calls: calls))
            for bad in decision.malformed {
                let error = AgentStep(.error, text: bad)
                steps.append(error)
                try emit(error)
                messages.append(AgentMessage(.tool, "<observation>\nerror: \(bad)\nhint: write one JSON object {\"name\": SKILL, \"arguments\": {...}} per call\n</observation>"))
            }
            for call in calls {
                let asked = decision.calls.contains(call) ? "" : "made first: the next call's skill asks for it (skill.json \"before\")"
                let callStep = AgentStep(.call, text: asked, tool: call.name, arguments: call.arguments)
                steps.append(callStep)
                try emit(callStep)
                // The same call twice in a turn gives the same result: do not run it again; the planner must answer.
                if let earlier = made.first(where: { $0.call == call }) {
                    let error = AgentStep(.error, text: "\(call.name) was already called with these arguments in this turn")
                    steps.append(error)
                    try emit(error)
                    let handles = earlier.observation.artifacts.map(\.handle).joined(separator: ", ")
                    messages.append(AgentMessage(.tool, "<observation skill=\"\(call.name)\">\nerror: this exact call was already made; its result is above\(handles.isEmpty ? "" : " (\(handles))")\nhint: answer the user now from the observations\n</observation>"))
                    mustAnswer = true
                    continue
                }
                let t0 = Date()
                let observation = try await callStoppably(call, isCancelled: isCancelled)
                let o = AgentStep(.observation, tool: call.name, arguments: call.arguments, observation: observation,
                                  milliseconds: Date().timeIntervalSince(t0) * 1000)
                steps.append(o)
                try emit(o)
                messages.append(AgentMessage(.tool, observation.text()))
                made.append((call, observation))
                if isCancelled() { throw AgentError.cancelled }
            }
        }
        // Unreachable: the last step always ends the turn.
        return steps
    }

    /// `calls` with, before each, the calls its skill's manifest asks for first (`before`) that neither this turn
    /// nor this step has made.
    func withPrerequisites(_ calls: [ToolCall], after made: [ToolCall]) -> [ToolCall] {
        var out: [ToolCall] = []
        for call in calls {
            for rule in registry.entry(call.name)?.manifest.before ?? [] {
                guard let first = rule.call(before: call.arguments), registry.entry(first.name)?.skill != nil else { continue }
                if !(made + out + calls).contains(where: { SkillPrerequisite.covers($0, first) }) { out.append(first) }
            }
            out.append(call)
        }
        return out
    }

    /// Runs a call, giving up on it as soon as `isCancelled` says so (Ctrl-C in the REPL): the skill's task is
    /// cancelled and its result, should it still come, is dropped.
    func callStoppably(_ call: ToolCall, isCancelled: @escaping @Sendable () -> Bool) async throws -> Observation {
        let (registry, artifacts) = (self.registry, self.artifacts)
        let outcome = FirstOutcome<Observation>()
        let work = Task { outcome.finish(.success(await registry.call(call.name, arguments: call.arguments, artifacts: artifacts))) }
        let watch = Task {
            while !Task.isCancelled {
                if isCancelled() { outcome.finish(.failure(AgentError.cancelled)); return }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { watch.cancel() }
        do { return try await outcome.value }
        catch { work.cancel(); throw error }
    }

    /// The images (and masks) a call made, overlays left out.
    static func madeImages(_ o: Observation) -> [String] { o.artifacts.filter { !$0.what.hasPrefix("overlay") }.map(\.handle) }

    /// "I apologize, but I can't assist with that request." and the like.
    static func isRefusal(_ text: String) -> Bool {
        let t = text.lowercased()
        return t.count < 160 && (t.hasPrefix("i apologize") || t.hasPrefix("i'm sorry") || t.hasPrefix("sorry")) && (t.contains("can't") || t.contains("cannot"))
    }

    /// What the turn's observations say, for a planner that ended without words: with an edited image, what
    /// the last edit did and where the result is; otherwise each result's first line.
    static func summary(of observations: [Observation]) -> String {
        let good = observations.filter { $0.error == nil }
        guard !good.isEmpty else { return "I have no answer." }
        if let edit = good.last(where: { !madeImages($0).isEmpty }) {
            return "Done: \(edit.lines.first ?? edit.skill). The result is \(madeImages(edit).joined(separator: ", "))."
        }
        return good.map { "\($0.skill): \($0.lines.first ?? "done")" }.joined(separator: "; ")
    }
}
