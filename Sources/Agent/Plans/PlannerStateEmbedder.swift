import Foundation
import LLM

/// Sentences as the planner model's own hidden state: the request run through the language model (a cache of
/// its own), the final-normalised hidden state of its last token scaled to unit length. The
/// alternative to MiniLM as the plan classifier's input (`loupe eval --plans-only --features planner`).
public final class PlannerStateEmbedder: TextEmbedder, @unchecked Sendable {
    public let model: LanguageModel
    private let cache: KVCache
    private let lock = NSLock()
    /// Longest request in tokens (longer ones are cut).
    public let maxTokens = 128

    public init(model: LanguageModel) {
        self.model = model
        cache = model.transformer.makeCache(context: 160)
    }

    public var dimension: Int { model.config.embedding }

    public func embed(_ text: String) throws -> [Float] {
        try lock.withLock {
            var ids = model.tokenizer.encode("Request: " + text)
            if ids.isEmpty { ids = model.tokenizer.encode(" ") }
            if ids.count > maxTokens { ids = Array(ids.prefix(maxTokens)) }
            cache.truncate(to: 0)
            let v = try model.transformer.forward(ids, cache: cache, logits: .lastHidden)
            let norm = max(1e-12, v.reduce(0) { $0 + $1 * $1 }.squareRoot())
            return v.map { $0 / norm }
        }
    }
}
