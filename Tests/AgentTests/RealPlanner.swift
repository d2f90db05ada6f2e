import Agent
import Foundation
import Perception
import SkillKit
import TestSupport
import ToolSchema

/// The real plan chooser, example index and answer checker over the repository's `skills/` (plans, corpus,
/// examples, templates), on the installed MiniLM; corpus embeddings are cached in the user's cache folder like
/// the CLI's, so only the first test run embeds the corpus.
enum RealPlanner {
    struct MiniLMEmbedder: TextEmbedder {
        let model: MiniLM
        func embed(_ text: String) throws -> [Float] { try model.embed(text) }
    }

    static let minilm: Result<MiniLM, any Error> = Result {
        try MiniLM(directory: URL(fileURLWithPath: try Fixtures.modelPath("minilm-l6")).deletingLastPathComponent())
    }

    static var cacheFolder: URL {
        (ProcessInfo.processInfo.environment["LOUPE_CACHE"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loupe")).appendingPathComponent("plans")
    }

    static func embeddings() -> EmbeddingCache { EmbeddingCache(file: cacheFolder.appendingPathComponent("minilm-l6.emb"), dimension: 384) }

    /// The chooser for `manifests` (the skills that can run).
    static func chooser(manifests: [SkillManifest]) throws -> PlanChooser {
        let file = Fixtures.skillsFolder.appendingPathComponent("plans.json")
        let catalog = PlanCatalog(declared: try PlanCatalog.read(file), available: manifests.map(\.name))
        let (options, words) = try PlanCatalog.classifierSettings(file)
        let training = PlanChooser.trainingSet(catalog: catalog, corpus: Fixtures.skillsFolder.appendingPathComponent("corpus"), manifests: manifests)
        return try PlanChooser(catalog: catalog, training: training, embedder: MiniLMEmbedder(model: try minilm.get()), embeddings: embeddings(),
                               modelDirectory: cacheFolder, options: options, words: words)
    }

    static func examples(manifests: [SkillManifest]) throws -> ExampleIndex {
        let noTool = try LLMPlanner.instructions(from: Fixtures.skillsFolder.appendingPathComponent("no-tool.md"))
        return ExampleIndex(texts: manifests.map(\.examples), noTool: noTool, embedder: MiniLMEmbedder(model: try minilm.get()), cache: embeddings())
    }

    static func checker(skills: [String]) throws -> AnswerChecker {
        let rules = try AnswerRules.read(Fixtures.skillsFolder.appendingPathComponent("answers.json"))
        var templates: [String: AnswerTemplate] = [:]
        for name in skills {
            if let t = try AnswerTemplate.read(folder: Fixtures.skillsFolder.appendingPathComponent(name)) { templates[name] = t }
        }
        return AnswerChecker(rules: rules, templates: templates)
    }

    /// The built-in skills' manifests from the repository.
    static func manifests() throws -> [SkillManifest] {
        try ["detect", "edit", "ocr", "retrieve", "segment", "tag"].map { try SkillManifest(folder: Fixtures.skillsFolder.appendingPathComponent($0)) }
    }
}
