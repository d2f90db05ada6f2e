import Foundation
import ToolSchema

/// The skills Loupe can call: manifests loaded from the `skills/` folders, bound to built-in Swift
/// implementations by name. Calls are validated against the manifest's schema first; every planner-level
/// problem (unknown skill, bad arguments, unknown handle, a skill that fails) comes back as an error
/// observation with a hint, never as a thrown error.
public final class SkillRegistry: @unchecked Sendable {
    /// Makes the Swift skill behind `{"builtin": NAME}`.
    public typealias Factory = @Sendable (SkillManifest) throws -> any Skill

    /// Turns a plugin folder into its skills (one entry per MCP tool), or one entry saying why it cannot run.
    public typealias PluginBinder = @Sendable (PluginManifest) -> [Entry]

    public struct Entry: Sendable {
        public let manifest: SkillManifest
        public let skill: (any Skill)?
        /// Why the skill cannot run (unknown implementation, missing models, plugin not registered), or nil.
        public let problem: String?

        public init(manifest: SkillManifest, skill: (any Skill)?, problem: String?) {
            (self.manifest, self.skill, self.problem) = (manifest, skill, problem)
        }

        /// An entry for a plugin that yields no skills, named after the plugin.
        public static func unavailable(plugin: PluginManifest, problem: String) -> Entry {
            // A manifest with an empty schema only names the plugin in listings; it is never called.
            let manifest = try! SkillManifest(name: plugin.name, description: plugin.description, parameters: .object([("type", .string("object"))]),
                                              implementation: .mcp(plugin: plugin.name, command: plugin.command), folder: plugin.folder)
            return Entry(manifest: manifest, skill: nil, problem: problem)
        }

        /// "built-in (NAME)" or "mcp PLUGIN: command".
        public var source: String {
            switch manifest.implementation {
            case let .builtin(name): return "built-in (\(name))"
            case let .mcp(plugin, command): return "mcp \(plugin): " + command.joined(separator: " ")
            }
        }
    }

    public private(set) var entries: [Entry] = []
    /// Folders under the skills directory whose manifests could not be read, and skills dropped for a name clash.
    public private(set) var loadErrors: [SkillError] = []

    /// Loads every `DIR/*/skill.json` in `directories` (later folders override earlier ones of the same name), then
    /// the plugin folders in `pluginFolders`. Plugins go through `plugins`; a plugin tool may not take the name
    /// of a skill already loaded. `modelInstalled` says whether a catalogue model is present.
    public init(directories: [URL], pluginFolders: [URL] = [], builtins: [String: Factory],
                plugins: PluginBinder = { [Entry.unavailable(plugin: $0, problem: "MCP plugins are not connected in this context")] },
                modelInstalled: (String) -> Bool) {
        var byName: [String: Entry] = [:], order: [String] = []
        var folders: [URL] = []
        for dir in directories {
            folders += ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
                .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
                // Folders of shared data (the plan corpus) hold none of a skill's files; a folder with some of them
                // but no skill.json is reported.
                .filter { folder in ["skill.json", "examples.md", "answer.md"].contains { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) } }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
        var pluginManifests: [PluginManifest] = []
        for folder in folders + pluginFolders {
            do {
                switch try SkillFolder.read(folder) {
                case let .skill(m):
                    if byName[m.name] == nil { order.append(m.name) }
                    byName[m.name] = Self.bind(m, builtins: builtins, modelInstalled: modelInstalled)
                case let .plugin(p):
                    pluginManifests.removeAll { $0.name == p.name }
                    pluginManifests.append(p)
                }
            } catch let e as SkillError {
                loadErrors.append(e)
            } catch {
                loadErrors.append(.badManifest(file: folder.path, reason: "\(error)"))
            }
        }
        for p in pluginManifests {
            for entry in plugins(p) {
                let name = entry.manifest.name
                if let existing = byName[name] {
                    loadErrors.append(.badManifest(file: p.folder.appendingPathComponent("skill.json").path,
                                                   reason: "tool \"\(name)\" of plugin \(p.name) is skipped: the name is taken by \(existing.source)"))
                    continue
                }
                order.append(name)
                byName[name] = entry
            }
        }
        entries = order.compactMap { byName[$0] }
    }

    /// A registry of skills made in code (tests, embedding).
    public init(skills: [any Skill]) {
        entries = skills.map { Entry(manifest: $0.manifest, skill: $0, problem: nil) }
    }

    static func bind(_ m: SkillManifest, builtins: [String: Factory], modelInstalled: (String) -> Bool) -> Entry {
        let missing = m.models.filter { !modelInstalled($0) }
        if !missing.isEmpty {
            return Entry(manifest: m, skill: nil, problem: "models not installed: \(missing.joined(separator: ", ")) (run `loupe models pull`)")
        }
        switch m.implementation {
        case let .builtin(name):
            guard let factory = builtins[name] else {
                return Entry(manifest: m, skill: nil, problem: "no built-in implementation named \"\(name)\" (known: \(builtins.keys.sorted().joined(separator: ", ")))")
            }
            do { return Entry(manifest: m, skill: try factory(m), problem: nil) } catch {
                return Entry(manifest: m, skill: nil, problem: "\(error)")
            }
        case .mcp:
            return Entry(manifest: m, skill: nil, problem: "an MCP tool manifest cannot be bound as a built-in")
        }
    }

    /// Names of the skills that can run.
    public var available: [String] { entries.filter { $0.skill != nil }.map(\.manifest.name) }

    /// The tools the planner sees: every skill that can run.
    public var tools: [ToolSpec] { entries.filter { $0.skill != nil }.map(\.manifest.tool) }

    public func entry(_ name: String) -> Entry? { entries.first { $0.manifest.name == name } }

    /// Validates and runs one call. Problems become error observations.
    public func call(_ name: String, arguments: JSONValue, artifacts: Artifacts) async -> Observation {
        guard let entry = entry(name) else {
            return .failure(skill: name, error: SkillError.unknownSkill(name: name, known: available))
        }
        guard let skill = entry.skill else {
            return .failure(skill: name, error: SkillError.failed(skill: name, reason: entry.problem ?? "unavailable"))
        }
        do {
            try entry.manifest.tool.schema.validate(arguments, path: "arguments")
        } catch {
            return .failure(skill: name, error: SkillError.invalidArguments(skill: name, reason: "\(error)"))
        }
        do {
            return try await skill.run(arguments, artifacts: artifacts)
        } catch let e as SkillError {
            return .failure(skill: name, error: e)
        } catch {
            return .failure(skill: name, error: SkillError.failed(skill: name, reason: "\(error)"))
        }
    }
}
