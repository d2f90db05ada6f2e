import ArgumentParser
import Foundation
import Sessions

/// `loupe replay ID`: print a logged session, write it as HTML, or re-execute its tool calls.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Show a logged session, write it as HTML, or re-run its tool calls.",
        discussion: "ID is a session id from `loupe sessions list`, a unique prefix of one, or \"last\". Exits 1 when --rerun finds differences.")

    @Argument(help: "The session.")
    var id: String

    @Option(help: "Write a self-contained HTML report (images inline) to this file.")
    var html: String?

    @Flag(help: "Re-execute every tool call with today's skills and report the observations that differ.")
    var rerun = false

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
        if html == nil && !rerun { print(SessionReplay.transcript(log), terminator: "") }
    }
}
