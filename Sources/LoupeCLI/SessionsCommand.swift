import ArgumentParser
import Foundation
import Sessions

/// `loupe sessions list`: the logged sessions, newest first.
struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions", abstract: "The logged sessions.", subcommands: [List.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sessions, newest first (LOUPE_SESSIONS, default ~/.cache/loupe/sessions.sqlite).")

        @Option(help: "How many.")
        var limit = 20

        func run() throws {
            let store = try SessionStore(path: SkillEnvironment.sessionDatabase())
            let all = try store.sessions(limit: limit)
            if all.isEmpty { print("no sessions yet (loupe run or loupe chat makes one)"); return }
            print("| session | created | planner | turns | steps | first request |")
            print("| --- | --- | --- | --- | --- | --- |")
            for s in all { print("| \(s.id) | \(s.created) | \(s.model) | \(s.turns) | \(s.steps) | \(s.title.prefix(60)) |") }
        }
    }
}
