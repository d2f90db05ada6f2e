import Foundation
import MCPBridge
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

    static var cacheRoot: URL {
        ProcessInfo.processInfo.environment["LOUPE_CACHE"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loupe")
    }

    /// The retrieval index: `LOUPE_LIBRARY`, or `library.sqlite` in the cache folder.
    static func libraryDatabase() -> String {
        if let p = ProcessInfo.processInfo.environment["LOUPE_LIBRARY"], !p.isEmpty { return p }
        try? FileManager.default.createDirectory(at: cacheRoot, withIntermediateDirectories: true)
        return cacheRoot.appendingPathComponent("library.sqlite").path
    }

    /// The session store: `LOUPE_SESSIONS`, or `sessions.sqlite` in the cache folder.
    static func sessionDatabase() -> String {
        if let p = ProcessInfo.processInfo.environment["LOUPE_SESSIONS"], !p.isEmpty { return p }
        try? FileManager.default.createDirectory(at: cacheRoot, withIntermediateDirectories: true)
        return cacheRoot.appendingPathComponent("sessions.sqlite").path
    }

    /// The plugins registered with `loupe skills add`: `LOUPE_PLUGINS`, or `~/.config/loupe/plugins.json`.
    static func pluginListFile() -> URL {
        if let p = ProcessInfo.processInfo.environment["LOUPE_PLUGINS"], !p.isEmpty { return URL(fileURLWithPath: p) }
        let config = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return config.appendingPathComponent("loupe/plugins.json")
    }

    static func models() throws -> PerceptionModels {
        let store = try ModelStore.standard()
        let models = PerceptionModels { model, file in try store.installedFile(model: model, file: file).path }
        models.cacheDirectory = cacheRoot.appendingPathComponent("skills")
        return models
    }

    /// The object finder with the settings of `skills/detect/finder.json` in `skills`.
    static func finder(models: PerceptionModels, skills: URL) throws -> ObjectFinder {
        try ObjectFinder(models: models, settings: FinderSettings.read(FinderSettings.file(in: skills)))
    }

    static func registry() throws -> SkillRegistry {
        let store = try ModelStore.standard()
        let models = try models()
        let dirs = directories()
        guard !dirs.isEmpty else {
            throw CLIError("no skills folder found: set LOUPE_SKILLS to the folder holding skills/<name>/skill.json (the repository's skills/)")
        }
        let libraryPath = libraryDatabase()
        let weights = try SearchWeights.read(in: dirs[0])
        let library = LibraryHandle { try LibraryIndex(path: libraryPath, models: models, weights: weights) }
        let plugins = try PluginList(file: pluginListFile())
        let pluginFolders = plugins.registrations.map { URL(fileURLWithPath: $0.folder) }
        return SkillRegistry(directories: dirs, pluginFolders: pluginFolders, builtins: BuiltinSkills.factories(models: models, finder: try finder(models: models, skills: dirs[0]),
                                                                                                      library: { try library.get() }),
                             plugins: PluginSkills.binder(list: plugins)) { name in
            guard let model = store.catalog.models.first(where: { $0.name == name }) else { return false }
            return model.files.allSatisfy { store.quickState(model, $0) != .missing }
        }
    }
}

/// Opens the library index once, on first use.
final class LibraryHandle: @unchecked Sendable {
    private let open: () throws -> LibraryIndex
    private let lock = NSLock()
    private var index: LibraryIndex?
    init(_ open: @escaping () throws -> LibraryIndex) { self.open = open }
    func get() throws -> LibraryIndex {
        try lock.withLock {
            if let index { return index }
            let made = try open()
            index = made
            return made
        }
    }
}
