import Agent
import ArgumentParser
import Foundation
import Sessions
import Vision

/// `loupe replay ID`: print a logged session, write it as HTML, or re-execute its tool calls.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Show a logged session, write it as HTML, or re-run its tool calls.",
        discussion: """
            ID is a session id from `loupe sessions list`, a unique prefix of one, or "last". Exits 1 when --rerun finds \
            differences. --replan runs today's planner on the logged user inputs (with the logged image), logs that as a \
            new session and prints, per turn, the skills called then and now.
            """)

    @Argument(help: "The session.")
    var id: String

    @Option(help: "Write a self-contained HTML report (images inline) to this file.")
    var html: String?

    @Flag(help: "Re-execute every tool call with today's skills and report the observations that differ.")
    var rerun = false

    @Flag(help: "Re-run the planner on the logged user inputs and compare the skills it calls.")
    var replan = false

    @Option(help: "Planner model for --replan.")
    var model = ModelResolver.defaultPlanner

    func run() async throws {
        let store = try SessionStore(path: SkillEnvironment.sessionDatabase())
        let log = try store.load(id)
        if let html {
            do { try SessionReport.html(log).write(toFile: html, atomically: true, encoding: .utf8) } catch {
                throw CLIError("cannot write \(html): \(error.localizedDescription)")
            }
            print("wrote \(html)")
        }
        if rerun {
            let registry = try SkillEnvironment.registry()
            let (calls, differences) = try await SessionReplay.rerun(log, registry: registry)
            for d in differences {
                print("turn \(d.turn) step \(d.step) \(d.tool): observation differs")
                print("  logged: " + d.logged.replacingOccurrences(of: "\n", with: "\n          "))
                print("  now:    " + d.now.replacingOccurrences(of: "\n", with: "\n          "))
            }
            print("re-ran \(calls) call\(calls == 1 ? "" : "s"): \(differences.isEmpty ? "every observation is the same" : "\(differences.count) differ")")
            if !differences.isEmpty { throw ExitCode(1) }
        }
        if replan {
            let agent = try AgentSetup.agent(model: model, maxSteps: 5)
            if let img0 = log.artifacts["img0"] { agent.attach(try ImageDecoder().decode(img0.png, name: "img0"), name: "img0") }
            let recorder = try SessionRecorder(store: store, agent: agent, model: model, title: "replan of \(log.id)")
            agent.recorder = { try recorder.record($0) }
            for turn in log.turns {
                let then = turn.steps.filter { $0.kind == "observation" }.compactMap(\.tool)
                let steps = try await agent.run(turn.instruction)
                let now = steps.filter { $0.kind == .observation }.compactMap(\.tool)
                print("[turn \(turn.index)] \(turn.instruction)")
                print("  then: \(then.isEmpty ? "(no skill)" : then.joined(separator: ", ")) → \(turn.steps.last { $0.kind == "answer" }?.text ?? "(no answer)")")
                print("  now:  \(now.isEmpty ? "(no skill)" : now.joined(separator: ", ")) → \(steps.last?.text ?? "")\(then == now ? "" : "   (skills differ)")")
            }
            print("logged as session \(recorder.id)")
        }
        if html == nil && !rerun && !replan { print(SessionReplay.transcript(log), terminator: "") }
    }
}
