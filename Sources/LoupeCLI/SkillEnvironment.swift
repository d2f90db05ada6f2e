import Foundation
import ModelStore
import SkillKit
import Skills

/// Builds the skill registry the CLI uses: manifests from the skills folders, built-in implementations on
/// networks located in the model store.
enum SkillEnvironment {
    /// Where skill folders are read from: `LOUPE_SKILLS` (colon-separated) if set, else the `skills/` folder of
    /// the source tree the binary was built in (found by walking up from the executable) or of the current directory.
    static func directories() -> [URL] {
        if let list = ProcessInfo.processInfo.environment["LOUPE_SKILLS"], !list.isEmpty {
            return list.split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        }
        var candidates: [URL] = []
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("skills"))
            dir.deleteLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("skills"))
        for c in candidates where FileManager.default.fileExists(atPath: c.appendingPathComponent("ocr/skill.json").path) { return [c] }
        return []
    }

    static func registry() throws -> SkillRegistry {
        let store = try ModelStore.standard()
        let models = PerceptionModels { model, file in try store.installedFile(model: model, file: file).path }
        let cache = ProcessInfo.processInfo.environment["LOUPE_CACHE"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loupe")
        models.cacheDirectory = cache.appendingPathComponent("skills")
        let dirs = directories()
        guard !dirs.isEmpty else {
            throw CLIError("no skills folder found: set LOUPE_SKILLS to the folder holding skills/<name>/skill.json (the repository's skills/)")
        }
        return SkillRegistry(directories: dirs, builtins: BuiltinSkills.factories(models: models)) { name in
            guard let model = store.catalog.models.first(where: { $0.name == name }) else { return false }
            return model.files.allSatisfy { store.quickState(model, $0) != .missing }
        }
    }
}
