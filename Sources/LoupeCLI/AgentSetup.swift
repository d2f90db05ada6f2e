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
        return Agent(registry: try SkillEnvironment.registry(), planner: ScriptedPlanner(steps), maxSteps: maxSteps)
    }

    static func agent(model: String, maxSteps: Int) throws -> Agent {
        let registry = try SkillEnvironment.registry()
        guard let skills = SkillEnvironment.directories().first else { throw CLIError("no skills folder found (set LOUPE_SKILLS)") }
        let instructions = try LLMPlanner.instructions(from: skills.appendingPathComponent("planner.md"))
        let noTool = try LLMPlanner.instructions(from: skills.appendingPathComponent("no-tool.md"))
        let router = SkillRouter(embedder: MiniLMEmbedder(models: try SkillEnvironment.models()), registry: registry, noTool: noTool)
        let lm = try ModelResolver.load(model)
        let planner = LLMPlanner(model: lm, instructions: instructions, directExamples: noTool, router: router,
                                 cacheDirectory: SkillEnvironment.cacheRoot.appendingPathComponent("prompt-cache"))
        return Agent(registry: registry, planner: planner, maxSteps: maxSteps)
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
            let decided = t.route.map { r in
                String(format: "; route: %@ (best skill %@ %.2f, no tool %.2f, %.0f ms)", r.needsTool ? "call" : "answer", r.ranked.first?.skill ?? "-",
                       r.ranked.first?.score ?? 0, r.noToolScore, r.milliseconds)
            } ?? ""
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
