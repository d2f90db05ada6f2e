import Agent
import Foundation
import SkillKit
import TestSupport
import Testing
import ToolSchema

/// The held-out test set stays held out: no test request is a near copy (MiniLM cosine ≥ 0.9) of a few-shot
/// example, a skill's `requests`, a no-tool example or a line of the plan corpus; its cases are well formed
/// and its images exist; and it is as large and varied as the agent-judgement issue asks.
@Suite(.serialized) struct HeldOutTests {
    static let testSet = Fixtures.repository.appendingPathComponent("examples/test")

    static func cases() throws -> [Evaluation.Case] {
        let text = try String(contentsOf: testSet.appendingPathComponent("cases.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").enumerated().compactMap { i, line in
            line.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try Evaluation.Case(json: try JSONParser.parse(String(line)), line: i + 1)
        }
    }

    @Test func isLargeVariedAndWellFormed() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 200)
        let images = Set(cases.compactMap(\.image))
        #expect(images.count >= 40)
        for image in images { #expect(FileManager.default.fileExists(atPath: Self.testSet.appendingPathComponent("images/\(image)").path), "\(image)") }
        let kinds = Set(cases.map(\.kind))
        #expect(kinds.isSuperset(of: ["no-tool", "ocr", "detect", "count", "tag", "segment", "edit", "detect-edit", "segment-edit", "detect-ocr", "retrieve", "retrieve-ocr"]))
        #expect(Set(cases.map(\.id)).count == cases.count, "ids are unique")
        let sources = try String(contentsOf: Self.testSet.appendingPathComponent("SOURCES.md"), encoding: .utf8)
        for image in images { #expect(sources.contains(image), "SOURCES.md names \(image)") }
    }

    @Test func noRequestIsANearCopyOfWhatTheAgentLearnedFrom() throws {
        let manifests = try RealPlanner.manifests()
        let file = Fixtures.skillsFolder.appendingPathComponent("plans.json")
        let catalog = PlanCatalog(declared: try PlanCatalog.read(file), available: manifests.map(\.name))
        var learned = PlanChooser.trainingSet(catalog: catalog, corpus: Fixtures.skillsFolder.appendingPathComponent("corpus"), manifests: manifests).texts
        let noTool = try String(contentsOf: Fixtures.skillsFolder.appendingPathComponent("no-tool.md"), encoding: .utf8)
        for text in manifests.map(\.examples) + [noTool] {
            learned += FewShotExamples.parse(text).compactMap { if case let .user(u)? = $0.first { u } else { nil } }
        }
        learned += manifests.flatMap(\.requests)
        let embedder = RealPlanner.MiniLMEmbedder(model: try RealPlanner.minilm.get())
        let cache = RealPlanner.embeddings()
        let texts = Array(Set(learned)).sorted()
        let table = try cache.embeddings(texts, embed: embedder.embed)
        var copies: [String] = []
        for c in try Self.cases() {
            let q = try embedder.embed(c.instruction)
            for (i, v) in table.enumerated() where zip(q, v).reduce(0, { $0 + $1.0 * $1.1 }) >= 0.9 {
                // The test request itself is not printed, so reading this does not show the held-out set.
                copies.append("\(c.id) ≈ \"\(texts[i])\"")
                break
            }
        }
        #expect(copies.isEmpty, "\(copies.count) near copies:\n\(copies.joined(separator: "\n"))")
    }
}
