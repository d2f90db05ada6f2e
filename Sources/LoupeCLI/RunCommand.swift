import Agent
import ArgumentParser
import Foundation
import Sessions
import SkillKit
import ToolSchema
import Vision

/// `loupe run [--image IMG] "instruction"`: one agent turn; prints the answer (or, with `--json`, the answer,
/// every step and the timings), and writes the images and masks the turn made to the run folder.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Answer one instruction about an image with the agent.",
        discussion: """
            The planner (a GGUF language model) decides which skills to call; each call's observation goes back to it \
            until it answers. Progress goes to stderr; the answer to stdout. The turn is logged as a session \
            (LOUPE_SESSIONS, default ~/.cache/loupe/sessions.sqlite; see `loupe replay`), each step committed as it \
            happens; images and masks made by the turn are written to --out (default ~/.cache/loupe/sessions/ID/). \
            Without --image no image is attached.
            """)

    @Argument(help: "What to do, e.g. \"blur every face\".")
    var instruction: String

    @Option(help: "The image (PNG or JPEG), handle img0.")
    var image: String?

    @Option(help: "Planner model: a catalogue name or a .gguf path.")
    var model = ModelResolver.defaultPlanner

    @Flag(help: "Print {answer, steps, session, timings} as JSON.")
    var json = false

    @Option(help: "Planner steps at most (the last one must answer).")
    var maxSteps = 5

    @Option(help: "Folder for the images and masks the turn makes.")
    var out: String?

    @Option(help: "Largest image accepted, in pixels.")
    var maxPixels = 40_000_000

    @Option(help: "Play back planner decisions from a JSON-lines file instead of running the model (reproducible runs).")
    var script: String?

    func validate() throws {
        guard (1...20).contains(maxSteps) else { throw ValidationError("--max-steps must be 1...20") }
        guard !instruction.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("the instruction is empty") }
    }

    func run() async throws {
        let started = Date()
        let picture = try image.map { try ImageDecoder(maxPixels: maxPixels).decode(file: $0) }
        let agent = try script.map { try AgentSetup.scriptedAgent(script: $0, maxSteps: maxSteps) } ?? AgentSetup.agent(model: model, maxSteps: maxSteps)
        if let picture, let image { agent.attach(picture, name: URL(fileURLWithPath: image).lastPathComponent) }
        let store = try SessionStore(path: SkillEnvironment.sessionDatabase())
        let recorder = try SessionRecorder(store: store, agent: agent, model: script == nil ? model : "script \(script!)", title: instruction)
        agent.recorder = { try recorder.record($0) }
        let loaded = Date()
        let steps = try await agent.run(instruction, events: { event in
            guard case let .step(step) = event else { return }
            if let line = AgentSetup.progressLine(step) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        })
        let folder = out.map { URL(fileURLWithPath: $0) } ?? SkillEnvironment.cacheRoot.appendingPathComponent("sessions/\(recorder.id)")
        try AgentSetup.writeArtifacts(agent.artifacts, to: folder)
        let answer = steps.last?.text ?? ""
        if json {
            let calls = steps.filter { $0.kind == .observation }.map { s -> JSONValue in
                var m: [(key: String, value: JSONValue)] = [("tool", .string(s.tool ?? "")), ("arguments", s.arguments ?? .object([])),
                                                            ("observation", .string(s.observation?.text() ?? ""))]
                m.append(("error", s.observation?.error.map { .string($0) } ?? .null))
                m.append(("artifacts", .array((s.observation?.artifacts ?? []).map { .string($0.handle) })))
                m.append(("milliseconds", .number(s.milliseconds.rounded())))
                return .object(m)
            }
            let plans = steps.compactMap(\.timing)
            let timings = JSONValue.object([
                ("load_ms", .number((loaded.timeIntervalSince(started) * 1000).rounded())),
                ("total_ms", .number((Date().timeIntervalSince(started) * 1000).rounded())),
                ("planner_steps", .integer(plans.count)),
                ("prefill_ms", .number(plans.map(\.promptMilliseconds).reduce(0, +).rounded())),
                ("prompt_tokens_computed", .integer(plans.map(\.promptComputed).reduce(0, +))),
                ("decode_ms", .number(plans.map(\.decodeMilliseconds).reduce(0, +).rounded())),
                ("generated_tokens", .integer(plans.map(\.generatedTokens).reduce(0, +))),
                ("skills_ms", .number(steps.filter { $0.kind == .observation }.map(\.milliseconds).reduce(0, +).rounded())),
            ])
            print(JSONValue.object([
                ("answer", .string(answer)), ("steps", .array(calls)), ("memory", .array(steps.map(\.json))),
                ("session", .string(recorder.id)), ("artifacts_folder", .string(folder.path)), ("timings", timings),
            ]))
        } else {
            print(answer)
            FileHandle.standardError.write(Data("session \(recorder.id); images in \(folder.path)\n".utf8))
        }
    }
}
