import Agent
import Foundation
import SkillKit
import ToolSchema
import Vision

/// Wires the agent for the CLI: the skill registry, the planner model and its instructions.
enum AgentSetup {
    /// An agent whose planner plays back `script` (JSON lines: {"call": {"name": …, "arguments": {…}}} or
    /// {"answer": "…"}), for reproducible runs and tests.
    static func scriptedAgent(script: String, maxSteps: Int) throws -> Agent {
        guard let text = try? String(contentsOfFile: script, encoding: .utf8) else { throw CLIError("cannot read the planner script \(script)") }
        var steps: [ScriptedPlanner.Step] = []
        for (i, line) in text.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let json: JSONValue
            do { json = try JSONParser.parse(String(line)) } catch { throw CLIError("\(script):\(i + 1): not JSON: \(error)") }
            if let answer = json["answer"]?.stringValue {
                steps.append(ScriptedPlanner.answer(answer))
            } else if let call = json["call"], let name = call["name"]?.stringValue {
                let arguments = call["arguments"] ?? .object([])
                steps.append { _ in PlannerDecision(text: "", calls: [ToolCall(name: name, arguments: arguments)]) }
            } else {
                throw CLIError("\(script):\(i + 1): each line is {\"call\": {\"name\": …, \"arguments\": {…}}} or {\"answer\": \"…\"}")
            }
        }
        return Agent(registry: try SkillEnvironment.registry(), planner: ScriptedPlanner(steps), texts: try texts(), maxSteps: maxSteps)
    }

    /// The plan chooser over every skill of `registry` that can run: plans from `skills/plans.json`, the corpus
    /// under `skills/corpus/`, embeddings and the trained model cached under the cache folder. Training progress
    /// (only when the corpus or the skills changed) goes to stderr.
    static func planChooser(registry: SkillRegistry, quiet: Bool = false, plannerFeatures: String? = nil, trainPerPlan: Int? = nil) throws -> PlanChooser {
        guard let skills = SkillEnvironment.directories().first else { throw CLIError("no skills folder found (set LOUPE_SKILLS)") }
        let declared = try PlanCatalog.read(skills.appendingPathComponent("plans.json"))
        var (options, words) = try PlanCatalog.classifierSettings(skills.appendingPathComponent("plans.json"))
        // Settings to try on the dev set without editing plans.json.
        if let v = ProcessInfo.processInfo.environment["LOUPE_PLAN_L2"].flatMap(Float.init) { options.l2 = v }
        if let v = ProcessInfo.processInfo.environment["LOUPE_PLAN_EPOCHS"].flatMap(Int.init) { options.epochs = v }
        let catalog = PlanCatalog(declared: declared, available: registry.available)
        let manifests = registry.entries.filter { $0.skill != nil }.map(\.manifest)
        var training = PlanChooser.trainingSet(catalog: catalog, corpus: skills.appendingPathComponent("corpus"), manifests: manifests)
        if let n = trainPerPlan { training = training.sampled(perPlan: n, seed: 20261207) }
        let cache = SkillEnvironment.cacheRoot.appendingPathComponent("plans")
        var embedder: any TextEmbedder = MiniLMEmbedder(models: try SkillEnvironment.models())
        var embeddings = EmbeddingCache(file: cache.appendingPathComponent("minilm-l6.emb"), dimension: 384)
        if let name = plannerFeatures {
            // The experiment of `loupe eval --plans-only --features planner`: the planner's own hidden state.
            let states = PlannerStateEmbedder(model: try ModelResolver.load(name))
            embedder = states
            embeddings = EmbeddingCache(file: cache.appendingPathComponent("\(states.model.name)-hidden.emb"), dimension: states.dimension)
        }
        var last = Date.distantPast
        let chooser = try PlanChooser(catalog: catalog, training: training, embedder: embedder,
                                      embeddings: embeddings, modelDirectory: cache, options: options, words: words) { message in
            guard !quiet, Date().timeIntervalSince(last) > 1 else { return }
            last = Date()
            FileHandle.standardError.write(Data("\r\(message)".utf8))
        }
        if chooser.trainedNow, !quiet {
            FileHandle.standardError.write(Data(String(format: "\rplan model trained on %d requests of %d plans in %.1f s\n",
                                                       training.texts.count, training.classes.count, chooser.trainingSeconds).utf8))
        }
        return chooser
    }

    /// The answer checker: `skills/answers.json` and every skill's `answer.md`.
    static func checker(registry: SkillRegistry) throws -> AnswerChecker {
        guard let skills = SkillEnvironment.directories().first else { throw CLIError("no skills folder found (set LOUPE_SKILLS)") }
        let rules = try AnswerRules.read(skills.appendingPathComponent("answers.json"))
        var templates: [String: AnswerTemplate] = [:]
        for entry in registry.entries where entry.skill != nil {
            if case .builtin = entry.manifest.implementation, let t = try AnswerTemplate.read(folder: entry.manifest.folder) { templates[entry.manifest.name] = t }
        }
        return AnswerChecker(rules: rules, templates: templates)
    }

    static func agent(model: String, maxSteps: Int) throws -> Agent {
        let registry = try SkillEnvironment.registry()
        guard let skills = SkillEnvironment.directories().first else { throw CLIError("no skills folder found (set LOUPE_SKILLS)") }
        let instructions = try LLMPlanner.instructions(from: skills.appendingPathComponent("planner.md"))
        let noTool = try LLMPlanner.instructions(from: skills.appendingPathComponent("no-tool.md"))
        let chooser = try planChooser(registry: registry)
        let embedder = MiniLMEmbedder(models: try SkillEnvironment.models())
        let examples = ExampleIndex(texts: registry.entries.filter { $0.skill != nil }.map(\.manifest.examples), noTool: noTool, embedder: embedder,
                                    cache: EmbeddingCache(file: SkillEnvironment.cacheRoot.appendingPathComponent("plans/minilm-l6.emb"), dimension: 384))
        let lm = try ModelResolver.load(model)
        let chat = try LLMPlanner.instructions(from: skills.appendingPathComponent("chat.md"))
        let planner = LLMPlanner(model: lm, instructions: instructions, texts: try texts(), chat: chat, chooser: chooser, examples: examples,
                                 cacheDirectory: SkillEnvironment.cacheRoot.appendingPathComponent("prompt-cache"))
        let settings = try PlanCatalog.plannerSettings(skills.appendingPathComponent("plans.json"))
        (planner.exampleCount, planner.chatExampleCount, planner.maxAnswerTokens) = (settings.examples, settings.chatExamples, settings.answerTokens)
        if let n = ProcessInfo.processInfo.environment["LOUPE_EXAMPLES"].flatMap(Int.init) { planner.exampleCount = n }   // for trying on the dev set
        return Agent(registry: registry, planner: planner, texts: try texts(), maxSteps: maxSteps, checker: try checker(registry: registry))
    }

    /// The prompt wording of `skills/prompts.json`.
    static func texts() throws -> PromptTexts {
        guard let skills = SkillEnvironment.directories().first else { throw CLIError("no skills folder found (set LOUPE_SKILLS)") }
        return try PromptTexts.read(skills.appendingPathComponent("prompts.json"))
    }

    /// A new agent with a fresh registry (e.g. after LOUPE_LIBRARY changed) and `base`'s planner and checker.
    static func agent(reusing base: Agent) throws -> Agent {
        Agent(registry: try SkillEnvironment.registry(), planner: base.planner, texts: base.texts, maxSteps: base.maxSteps, checker: base.checker)
    }

    /// A one-line account of a step for stderr (nil for steps not worth a line).
    static func progressLine(_ step: AgentStep) -> String? {
        switch step.kind {
        case .call: return "→ \(step.tool ?? "?") \(step.arguments?.compactDescription ?? "{}")"
        case .observation:
            guard let o = step.observation else { return nil }
            if let e = o.error { return "← error: \(e)" }
            let first = o.lines.first ?? o.artifacts.first.map { "\($0.handle): \($0.what)" } ?? "(nothing)"
            let more = o.lines.count > 1 ? " (+\(o.lines.count - 1) more)" : ""
            return "← \(first)\(more) [\(Int(step.milliseconds.rounded())) ms]"
        case .error: return "← error: \(step.text)"
        case .plan:
            guard let t = step.timing, t.promptTokens > 0 else { return nil }   // a scripted planner has no timings
            let decided = t.plan.map { String(format: "; plan: %@ (%.2f, %.0f ms)", $0, t.planProbability ?? 0, t.planMilliseconds ?? 0) } ?? ""
            return String(format: "· planner: %d prompt tokens (%d computed) %.0f ms, %d generated %.0f ms", t.promptTokens, t.promptComputed,
                          t.promptMilliseconds, t.generatedTokens, t.decodeMilliseconds) + decided
        case .task, .answer: return nil
        }
    }

    /// Writes every image and mask of the session except img0 to `folder`.
    static func writeArtifacts(_ artifacts: Artifacts, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for handle in artifacts.handles where handle != "img0" {
            guard let item = artifacts.item(handle) else { continue }
            try ImageEncoder.write(item.picture, to: folder.appendingPathComponent("\(handle).png").path)
        }
    }
}
