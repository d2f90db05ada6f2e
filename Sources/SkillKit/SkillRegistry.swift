import Foundation
import ToolSchema

/// The skills Loupe can call: manifests loaded from the `skills/` folders, bound to built-in Swift
/// implementations by name. Calls are validated against the manifest's schema first; every planner-level
/// problem (unknown skill, bad arguments, unknown handle, a skill that fails) comes back as an error
/// observation with a hint, never as a thrown error.
public final class SkillRegistry: @unchecked Sendable {
    /// Makes the Swift skill behind `{"builtin": NAME}`.
    public typealias Factory = @Sendable (SkillManifest) throws -> any Skill

    public struct Entry: Sendable {
        public let manifest: SkillManifest
        public let skill: (any Skill)?
        /// Why the skill cannot run (unknown implementation, missing models), or nil.
        public let problem: String?
        /// "built-in" or "mcp: command".
        public var source: String {
            switch manifest.implementation {
            case let .builtin(name): return "built-in (\(name))"
            case let .mcp(command, _): return "mcp: " + command.joined(separator: " ")
            }
        }
    }

    public private(set) var entries: [Entry] = []
    /// Folders under the skills directory whose manifests could not be read.
    public private(set) var loadErrors: [SkillError] = []

    /// Loads every `DIR/*/skill.json` in `directories` (later folders override earlier ones of the same name).
    /// `modelInstalled` says whether a catalogue model is present.
    public init(directories: [URL], builtins: [String: Factory], modelInstalled: (String) -> Bool) {
        var byName: [String: Entry] = [:], order: [String] = []
        for dir in directories {
            let folders = ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
                .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
            for folder in folders {
                do {
                    let m = try SkillManifest(folder: folder)
                    let entry = Self.bind(m, builtins: builtins, modelInstalled: modelInstalled)
                    if byName[m.name] == nil { order.append(m.name) }
                    byName[m.name] = entry
                } catch let e as SkillError {
                    loadErrors.append(e)
                } catch {
                    loadErrors.append(.badManifest(file: folder.path, reason: "\(error)"))
                }
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
            return Entry(manifest: m, skill: nil, problem: "MCP plugins are not supported by this build yet")
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
