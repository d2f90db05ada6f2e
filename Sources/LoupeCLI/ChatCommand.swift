import Agent
import ArgumentParser
import Foundation
import Sessions
import SkillKit
import Vision

/// `loupe chat [--image IMG]`: the REPL. Each line is a turn: the planner's words stream as they come, each
/// skill call and a one-line result show as they happen, and new images are written to the session folder.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "Talk to the agent about an image (the main job).",
        discussion: """
            Commands: /image PATH (attach another image as img0), /skills, /history, /save [FILE.html], /reset, /help, \
            /quit (or Ctrl-D). Ctrl-C stops the turn in progress and returns to the prompt. With stdin not a terminal, \
            lines are read without a prompt. Every turn is logged as a session (see `loupe replay`).
            """)

    @Option(help: "The image (PNG or JPEG), handle img0.")
    var image: String?

    @Option(help: "Planner model: a catalogue name or a .gguf path.")
    var model = ModelResolver.defaultPlanner

    @Option(help: "Planner steps per turn at most.")
    var maxSteps = 5

    func run() async throws {
        let interactive = isatty(STDIN_FILENO) != 0
        let interrupt = ChatInterrupt.install(interactive: interactive)
        let say = { (s: String) in FileHandle.standardError.write(Data((s + "\n").utf8)) }
        // One unbuffered channel for everything shown, so streamed text and lines keep their order when piped.
        let print: @Sendable (String) -> Void = { s in FileHandle.standardOutput.write(Data((s + "\n").utf8)) }

        var t0 = Date()
        let agent = try AgentSetup.agent(model: model, maxSteps: maxSteps)
        say(String(format: "planner %@ loaded in %.1f s; %d skills: %@", model, Date().timeIntervalSince(t0), agent.registry.available.count,
                   agent.registry.available.joined(separator: ", ")))
        if let planner = agent.planner as? LLMPlanner {
            t0 = Date()
            say("preparing the planner's prompt…")
            let (restored, ms) = try planner.warmUp(tools: agent.registry.tools)
            say(String(format: "prompt %@ in %.1f s", restored ? "restored from the cache" : "computed (it is cached for next time)", ms / 1000))
        }
        let store = try SessionStore(path: SkillEnvironment.sessionDatabase())
        var recorder = try SessionRecorder(store: store, agent: agent, model: model, title: image.map { "chat on \(URL(fileURLWithPath: $0).lastPathComponent)" } ?? "chat")
        agent.recorder = { [recorder] in try recorder.record($0) }
        var folder = SkillEnvironment.cacheRoot.appendingPathComponent("sessions/\(recorder.id)")
        if let image { try attach(image, to: agent, say: say) }
        say("session \(recorder.id). Ask about the image, or /help.")

        var written = Set<String>()
        while true {
            if interactive { FileHandle.standardOutput.write(Data("> ".utf8)) }
            guard let raw = readLine(strippingNewline: true) else { break }
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("/") {
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                switch parts[0] {
                case "/quit", "/exit": return
                case "/help":
                    print("""
                        /image PATH   attach another image as img0
                        /skills       the skills the planner can call
                        /history      this session's transcript
                        /save [FILE]  write this session as an HTML report (default loupe-SESSION.html)
                        /reset        forget the conversation and start a new session (images stay)
                        /quit         leave (also Ctrl-D); Ctrl-C stops a turn in progress
                        """)
                case "/image":
                    guard parts.count == 2 else { print("usage: /image PATH"); continue }
                    do {
                        try attach(parts[1], to: agent, say: say)
                        recorder.forget("img0")
                    } catch { print("cannot use \(parts[1]): \(error)") }
                case "/skills":
                    for e in agent.registry.entries where e.skill != nil { print("  \(e.manifest.name): \(e.manifest.description)") }
                case "/history":
                    FileHandle.standardOutput.write(Data(SessionReplay.transcript(try store.load(recorder.id)).utf8))
                case "/save":
                    let file = parts.count == 2 ? parts[1] : "loupe-\(recorder.id).html"
                    do {
                        try SessionReport.html(try store.load(recorder.id)).write(toFile: file, atomically: true, encoding: .utf8)
                        print("wrote \(file)")
                    } catch { print("cannot write \(file): \(error.localizedDescription)") }
                case "/reset":
                    agent.reset()
                    recorder = try SessionRecorder(store: store, agent: agent, model: model, title: "chat (after /reset)")
                    agent.recorder = { [recorder] in try recorder.record($0) }
                    folder = SkillEnvironment.cacheRoot.appendingPathComponent("sessions/\(recorder.id)")
                    written = []
                    print("conversation cleared; new session \(recorder.id)")
                default:
                    print("unknown command \(parts[0]); /help lists them")
                }
                continue
            }

            let stream = ChatStream()
            interrupt.busy = true
            do {
                let steps = try await agent.run(line, events: { event in
                    switch event {
                    case let .plannerText(t): stream.text(t)
                    case let .step(s):
                        if s.kind == .plan { stream.lastStep = stream.endStep() }
                        if s.kind == .answer {
                            if stream.lastStep.trimmingCharacters(in: .whitespacesAndNewlines) != s.text { print(s.text) }
                        } else if s.kind != .plan, let l = AgentSetup.progressLine(s) {
                            print(l)
                        }
                    }
                }, isCancelled: { interrupt.isSet })
                _ = steps
            } catch AgentError.cancelled {
                _ = stream.endStep()
                print("(stopped; the session goes on)")
            } catch let error as AgentError {
                _ = stream.endStep()
                print("planner problem: \(error)")
            }
            interrupt.busy = false
            let fresh = agent.artifacts.handles.filter { $0 != "img0" && !written.contains($0) }
            if !fresh.isEmpty {
                try AgentSetup.writeArtifacts(agent.artifacts, to: folder)
                for h in fresh { written.insert(h); print("  \(h) → \(folder.appendingPathComponent("\(h).png").path)") }
            }
        }
    }

    private func attach(_ path: String, to agent: Agent, say: (String) -> Void) throws {
        let picture = try ImageDecoder(maxPixels: 40_000_000).decode(file: path)
        agent.attach(picture, name: URL(fileURLWithPath: path).lastPathComponent)
        say("img0: \(URL(fileURLWithPath: path).lastPathComponent), \(picture.width)x\(picture.height)")
    }
}
