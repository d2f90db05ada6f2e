import Foundation
import ToolSchema

/// The few-shot examples of `skills/*/examples.md` and `skills/no-tool.md`, found by meaning: for a plan step,
/// the examples that call that step's skill, nearest to the request (sentence embeddings of their `User:`
/// lines); for an answer without skills, the nearest no-tool examples. Embeddings come from the shared cache.
public final class ExampleIndex: @unchecked Sendable {
    public struct Example: Sendable {
        public let entries: [FewShotExamples.Entry]
        /// The skills its calls name, in order (empty: answered without a skill).
        public let skills: [String]
        public let request: String
    }

    public let examples: [Example]
    private let embedder: any TextEmbedder
    private let cache: EmbeddingCache
    private var vectors: [[Float]]?
    private let lock = NSLock()

    /// `texts` are examples.md files (the calls say which skill each example is for); `noTool` is no-tool.md.
    public init(texts: [String], noTool: String, embedder: any TextEmbedder, cache: EmbeddingCache) {
        var list: [Example] = []
        for entries in (texts + [noTool]).flatMap(FewShotExamples.parse) {
            guard case let .user(request)? = entries.first else { continue }
            let skills = entries.compactMap { e -> String? in
                guard case let .call(c) = e else { return nil }
                return (try? JSONParser.parse(c))?["name"]?.stringValue
            }
            list.append(Example(entries: entries, skills: skills, request: request))
        }
        examples = list
        self.embedder = embedder
        self.cache = cache
    }

    /// Up to `count` examples for a plan calling `skills` (none: the no-tool examples), nearest to `request`
    /// first; examples of exactly that plan come before those that only start with the same skill.
    public func nearest(to request: String, skills: [String], count: Int) throws -> [Example] {
        let candidates = examples.indices.filter { i in
            skills.isEmpty ? examples[i].skills.isEmpty : examples[i].skills.first == skills.first
        }
        guard !candidates.isEmpty, count > 0 else { return [] }
        let table = try lock.withLock { () throws -> [[Float]] in
            if let vectors { return vectors }
            let made = try cache.embeddings(examples.map(\.request), embed: embedder.embed)
            vectors = made
            return made
        }
        let q = try embedder.embed(request)
        func sim(_ i: Int) -> Float { zip(q, table[i]).reduce(0) { $0 + $1.0 * $1.1 } }
        return candidates.sorted { a, b in
            let (ea, eb) = (examples[a].skills == skills, examples[b].skills == skills)
            return ea != eb ? ea : sim(a) > sim(b)
        }.prefix(count).map { examples[$0] }
    }
}
