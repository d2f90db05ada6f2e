import Foundation
import SkillKit
import ToolSchema
import Vision

/// The loop of DESIGN.md. A turn is the user's message, then:
/// - with a planner that chooses plans (`LLMPlanner`): the plan's steps, each call written by the planner under
///   the grammar of that step's narrowed schema and run, a step that finds nothing ending the plan; then the
///   answer, checked against the observations (`AnswerChecker`) and replaced by the skill's template if it
///   contradicts them or shows internal text;
/// - otherwise (free mode, e.g. a scripted planner): planner steps that call or answer as they like, up to
///   `maxSteps`, the last one answering.
/// Planner mistakes (a call that cannot be read, an unknown skill, bad arguments, a failing skill) come back as
/// error observations and the turn goes on.
public final class Agent: @unchecked Sendable {
    public let registry: SkillRegistry
    public let planner: any Planner
    /// Checks answers against the observations (nil: answers are shown as written).
    public let checker: AnswerChecker?
    /// Wording of the hints in error observations (`skills/prompts.json`).
    public let texts: PromptTexts
    /// The session's images and masks (`img0` is the user's image).
    public let artifacts = Artifacts()
    /// Planner steps per turn.
    public var maxSteps: Int
    /// The conversation so far (every turn).
    public internal(set) var messages: [AgentMessage] = []
    /// Called with every step before the next one starts (the session recorder); its errors end the turn.
    public var recorder: ((AgentStep) throws -> Void)?
    private var imageNote: String?

    /// What happens during a turn, as it happens (for the REPL and logs).
    public enum Event: Sendable {
        case plannerText(String)
        case step(AgentStep)
    }

    public init(registry: SkillRegistry, planner: any Planner, texts: PromptTexts, maxSteps: Int = 5, checker: AnswerChecker? = nil) {
        (self.registry, self.planner, self.texts, self.maxSteps, self.checker) = (registry, planner, texts, max(1, maxSteps), checker)
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

    /// The state of one turn while it runs.
    final class Turn: @unchecked Sendable {
        let instruction: String
        let events: @Sendable (Event) -> Void
        let isCancelled: @Sendable () -> Bool
        var steps: [AgentStep] = []
        var made: [(call: ToolCall, observation: Observation)] = []
        let recorder: ((AgentStep) throws -> Void)?

        init(_ instruction: String, events: @escaping @Sendable (Event) -> Void, isCancelled: @escaping @Sendable () -> Bool,
             recorder: ((AgentStep) throws -> Void)?) {
            (self.instruction, self.events, self.isCancelled, self.recorder) = (instruction, events, isCancelled, recorder)
        }

        func emit(_ step: AgentStep) throws {
            try recorder?(step)
            steps.append(step)
            events(.step(step))
        }
    }

    /// Runs one user turn; returns its steps (the last one is the answer).
    public func run(_ instruction: String, events: @escaping @Sendable (Event) -> Void = { _ in },
                    isCancelled: @escaping @Sendable () -> Bool = { false }) async throws -> [AgentStep] {
        let turn = Turn(instruction, events: events, isCancelled: isCancelled, recorder: recorder)
        try turn.emit(AgentStep(.task, text: instruction))
        var content = instruction
        if let note = imageNote { content = note + "\n" + instruction; imageNote = nil }
        else if artifacts.item("img0") == nil, messages.isEmpty { content = "[no image attached]\n" + instruction }
        messages.append(AgentMessage(.user, content))
        if var choice = try await planner.choosePlan(for: instruction) {
            if artifacts.item("img0") == nil, needsImage(choice.plan), let other = planWithoutImage(choice) {
                (choice.plan, choice.probability) = other   // "find my photo of … and read it" with no image open
            }
            var timing = PlannerTiming()
            timing.plan = choice.plan.name
            timing.planProbability = choice.probability
            timing.planMilliseconds = choice.milliseconds
            try await runPlan(choice.plan, turn: turn, choiceTiming: timing)
        } else {
            try await runFree(turn)
        }
        return turn.steps
    }

    /// Ends the turn with `text` checked against the turn's observations.
    /// `checked: false` for an answer that is already its template's.
    func finish(_ turn: Turn, answer written: String, checked: Bool = true) throws {
        var text = written.trimmingCharacters(in: .whitespacesAndNewlines)
        if let checker, !checked {
            text = checker.naming(text, observations: turn.made.map(\.observation))
        } else if let checker {
            let verdict = checker.check(text, request: turn.instruction, observations: turn.made.map(\.observation))
            if verdict.replaced {
                try turn.emit(AgentStep(.error, text: "answer replaced by the template: " + verdict.problems.map(\.description).joined(separator: "; ")))
            }
            text = verdict.answer
        } else if text.isEmpty {
            text = "I have no answer."
        }
        let answer = AgentStep(.answer, text: text)
        messages.append(AgentMessage(.assistant, answer.text))
        try turn.emit(answer)
    }

    /// Runs one call and records it: the call step, its observation (or error), the tool message.
    func perform(_ call: ToolCall, note: String = "", turn: Turn) async throws -> Observation {
        try turn.emit(AgentStep(.call, text: note, tool: call.name, arguments: call.arguments))
        let t0 = Date()
        let observation = try await callStoppably(call, isCancelled: turn.isCancelled)
        try turn.emit(AgentStep(.observation, tool: call.name, arguments: call.arguments, observation: observation,
                                milliseconds: Date().timeIntervalSince(t0) * 1000))
        messages.append(AgentMessage(.tool, observation.text()))
        turn.made.append((call, observation))
        if turn.isCancelled() { throw AgentError.cancelled }
        return observation
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
}
