import Foundation
import SkillKit

/// The explicit choice between calling a skill and answering, made before the planner writes a word: the
/// request is compared (sentence embeddings, cosine similarity) with example requests of every skill — its
/// description, the `User:` lines of its examples.md and the `requests` of its skill.json — and with requests
/// that need no tool (`skills/no-tool.md`). Small Qwen models never open `<tool_call>` by themselves and start
/// JSON or prose for reasons of their own; this decides for them, and ranks the skills for the first call.
public final class SkillRouter: @unchecked Sendable {
    public struct Route: Sendable {
        /// Whether the request needs a skill.
        public var needsTool: Bool
        /// Skills by similarity of their nearest example, best first.
        public var ranked: [(skill: String, score: Float)]
        /// Similarity of the nearest no-tool example.
        public var noToolScore: Float
        public var milliseconds: Double
        /// The few-shot examples nearest to the request (skill nil: a no-tool example), nearest first.
        public var examples: [(skill: String?, example: [FewShotExamples.Entry])]
    }

    private let embedder: any TextEmbedder
    private let skillPhrases: [(skill: String, phrases: [String])]
    private let noToolPhrases: [String]
    private let examples: [(skill: String?, example: [FewShotExamples.Entry])]
    private let lock = NSLock()
    private var vectors: (skills: [(skill: String, vectors: [[Float]])], none: [[Float]], examples: [[Float]])?
    /// How many few-shot examples a route carries.
    public var exampleCount = 2

    /// `examples` are the few-shot examples a route may pick from (skill nil: answered without a tool).
    public init(embedder: any TextEmbedder, skills: [(skill: String, phrases: [String])], noTool: [String],
                examples: [(skill: String?, example: [FewShotExamples.Entry])] = []) {
        self.embedder = embedder
        skillPhrases = skills.map { ($0.skill, $0.phrases.filter { !$0.isEmpty }) }.filter { !$0.phrases.isEmpty }
        noToolPhrases = noTool
        self.examples = examples.filter { if case .user? = $0.example.first { return true } else { return false } }
    }

    /// A router over every skill of `registry` that can run — phrases and few-shot examples from their manifests —
    /// and the no-tool examples in `noTool` (the text of `skills/no-tool.md`).
    public convenience init(embedder: any TextEmbedder, registry: SkillRegistry, noTool: String) {
        let ready = registry.entries.filter { $0.skill != nil }.map(\.manifest)
        self.init(
            embedder: embedder,
            skills: ready.map { m in (m.name, Self.phrases(description: m.description, examples: m.examples, extra: m.requests)) },
            noTool: Self.phrases(description: "", examples: noTool, extra: []).filter { !$0.isEmpty },
            examples: ready.flatMap { m in FewShotExamples.parse(m.examples).map { (skill: Optional(m.name), example: $0) } }
                + FewShotExamples.parse(noTool).map { (skill: nil, example: $0) })
    }

    /// Routes `request` (the user's words, without Loupe's image note).
    public func route(_ request: String) throws -> Route {
        let started = Date()
        let (skills, none, exampleVectors) = try embedded()
        let q = try embedder.embed(request)
        func sim(_ v: [Float]) -> Float { zip(q, v).reduce(0) { $0 + $1.0 * $1.1 } }
        let ranked = skills.map { s in (skill: s.skill, score: s.vectors.map(sim).max() ?? -1) }.sorted { $0.score > $1.score }
        let noTool = none.map(sim).max() ?? -1
        let needsTool = (ranked.first?.score ?? -1) >= noTool
        // Examples of the same kind as the decision, nearest first: for a call, those of the best skill first (a
        // small planner copies what it is shown); for an answer, the no-tool ones.
        let best = needsTool ? ranked.first?.skill : nil
        let nearest = examples.indices.filter { (examples[$0].skill != nil) == needsTool }
            .sorted { a, b in
                let (sa, sb) = (examples[a].skill == best, examples[b].skill == best)
                return sa != sb ? sa : sim(exampleVectors[a]) > sim(exampleVectors[b])
            }.prefix(exampleCount).map { examples[$0] }
        return Route(needsTool: needsTool, ranked: ranked, noToolScore: noTool,
                     milliseconds: Date().timeIntervalSince(started) * 1000, examples: Array(nearest))
    }

    private func embedded() throws -> ([(skill: String, vectors: [[Float]])], [[Float]], [[Float]]) {
        try lock.withLock {
            if let vectors { return (vectors.skills, vectors.none, vectors.examples) }
            let skills = try skillPhrases.map { s in (skill: s.skill, vectors: try s.phrases.map { try embedder.embed($0) }) }
            let none = try noToolPhrases.map { try embedder.embed($0) }
            let ex = try examples.map { e -> [Float] in
                guard case let .user(text)? = e.example.first else { return [] }
                return try embedder.embed(text)
            }
            vectors = (skills, none, ex)
            return (skills, none, ex)
        }
    }

    /// The example requests of a skill: its description, the `User:` lines of its examples and `extra`.
    public static func phrases(description: String, examples: String, extra: [String]) -> [String] {
        let users = FewShotExamples.parse(examples).flatMap { $0 }.compactMap { entry -> String? in
            if case let .user(text) = entry { return text } else { return nil }
        }
        return [description] + users + extra
    }
}
