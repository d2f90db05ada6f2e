import ArgumentParser
import Foundation
import SkillKit

/// `loupe skills list`: every skill, where it comes from and whether it can run.
struct SkillsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skills", abstract: "The skills the planner can call.", subcommands: [List.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every skill: source, models, whether it can run.")

        func run() throws {
            let registry = try SkillEnvironment.registry()
            print("| skill | source | models | status | description |")
            print("| --- | --- | --- | --- | --- |")
            for e in registry.entries {
                let status = e.problem.map { "unavailable: \($0)" } ?? "ready"
                print("| \(e.manifest.name) | \(e.source) | \(e.manifest.models.joined(separator: ", ")) | \(status) | \(e.manifest.description) |")
            }
            for error in registry.loadErrors { print("skipped: \(error)") }
            if let dir = SkillEnvironment.directories().first { print("\nfrom \(dir.path)") }
        }
    }
}
