import ArgumentParser
import Foundation
import MCPBridge
import SkillKit

/// `loupe skills list|add|remove`: every skill, where it comes from and whether it can run; plugin registration.
struct SkillsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skills", abstract: "The skills the planner can call.", subcommands: [List.self, Add.self, Remove.self], defaultSubcommand: List.self)

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

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check and register an MCP plugin folder (or a folder of them).",
            discussion: """
                DIR holds a skill.json whose implementation is {"mcp": {"command": [...]}}, or sub-folders that do. Each \
                plugin is started, its tools listed and checked (names, schemas), then recorded with a snapshot of its \
                tools in the plugin list (LOUPE_PLUGINS, default ~/.config/loupe/plugins.json). Run it again after \
                changing the plugin's tools.
                """)

        @Argument(help: "The plugin folder.")
        var directory: String

        func run() async throws {
            let root = URL(fileURLWithPath: directory).standardizedFileURL
            var folders: [URL] = []
            if FileManager.default.fileExists(atPath: root.appendingPathComponent("skill.json").path) {
                folders = [root]
            } else {
                let children = (try? FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)) ?? []
                folders = children.filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("skill.json").path) }
                    .sorted { $0.lastPathComponent < $1.lastPathComponent }
            }
            guard !folders.isEmpty else { throw CLIError("\(root.path): no skill.json there nor in its sub-folders") }
            var plugins: [PluginManifest] = []
            for folder in folders {
                switch try SkillFolder.read(folder) {
                case let .plugin(p): plugins.append(p)
                case let .skill(m):
                    if folders.count == 1 {
                        throw CLIError("\(folder.path) declares the built-in skill \(m.name), not an MCP plugin; built-in skills are read from the skills folders (LOUPE_SKILLS)")
                    }
                }
            }
            guard !plugins.isEmpty else { throw CLIError("\(root.path): none of its skill folders is an MCP plugin") }
            let list = try PluginList(file: SkillEnvironment.pluginListFile())
            let registry = try SkillEnvironment.registry()
            for plugin in plugins {
                // Names a plugin may not take: every skill except this plugin's own tools.
                let own = Set(list.registrations.filter { $0.name == plugin.name }.flatMap { $0.tools.map(\.name) })
                let reserved = Set(registry.entries.map(\.manifest.name)).subtracting(own).subtracting([plugin.name])
                print("checking \(plugin.name): starting \(plugin.command.joined(separator: " ")) …")
                let tools = try await PluginSkills.inspect(plugin, reserved: reserved)
                list.register(plugin, tools: tools)
                try list.save()
                print("added plugin \(plugin.name) from \(plugin.folder.path): \(tools.count) tool\(tools.count == 1 ? "" : "s") (\(tools.map(\.name).joined(separator: ", ")))")
            }
            print("registered in \(list.file.path); see `loupe skills list`")
            try Self.retrainPlans()
        }

        /// Retrains the plan chooser for the skills now registered (a new plugin's tools become plans of their own),
        /// so the next turn can choose them; prints how long it took.
        static func retrainPlans() throws {
            let started = Date()
            let chooser = try AgentSetup.planChooser(registry: try SkillEnvironment.registry(), quiet: true)
            print(String(format: "plan model %@ in %.1f s: %d plans (%@)", chooser.trainedNow ? "retrained" : "restored", Date().timeIntervalSince(started),
                         chooser.classifier.classes.count, chooser.classifier.classes.joined(separator: ", ")))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unregister an MCP plugin by name.")

        @Argument(help: "The plugin's name (from its skill.json).")
        var name: String

        func run() throws {
            let list = try PluginList(file: SkillEnvironment.pluginListFile())
            guard list.remove(name: name) else {
                let names = list.registrations.map(\.name)
                throw CLIError("no plugin named \(name) is registered (registered: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
            }
            try list.save()
            print("removed plugin \(name)")
            try Add.retrainPlans()
        }
    }
}
