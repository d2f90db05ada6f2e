import Foundation

/// A model plus one KV cache and the tokens it holds. Evaluating a prompt that shares a prefix with the
/// cached tokens computes only the new suffix, so multi-turn chats and repeated system prompts are cheap.
/// Not thread-safe.
public final class InferenceSession: @unchecked Sendable {
    public let model: LanguageModel
    public let cache: KVCache
    /// The tokens whose keys and values are in `cache`.
    public private(set) var tokens: [Int32] = []
    /// Tokens computed / reused by the last `evaluate`.
    public private(set) var lastComputed = 0
    public private(set) var lastReused = 0

    public init(model: LanguageModel, context: Int? = nil) {
        self.model = model
        cache = model.transformer.makeCache(context: context)
    }

    /// Context window of this session.
    public var contextLimit: Int { cache.limit }

    /// Makes the cache hold exactly `prompt` and returns the logits after its last token.
    /// Only the part after the longest common prefix with the cached tokens is computed.
    public func evaluate(_ prompt: [Int32]) throws -> [Float] {
        guard !prompt.isEmpty else { throw LLMError.invalidArgument("empty prompt") }
        guard prompt.count <= cache.limit else { throw LLMError.contextFull(needed: prompt.count, limit: cache.limit) }
        var common = 0
        while common < min(prompt.count, tokens.count), prompt[common] == tokens[common] { common += 1 }
        if common == prompt.count { common -= 1 }  // recompute the last token to get its logits
        cache.truncate(to: common)
        tokens.removeLast(tokens.count - common)
        lastReused = common
        lastComputed = prompt.count - common
        let logits = try model.transformer.forward(Array(prompt[common...]), cache: cache, logits: .last)
        tokens = prompt
        return logits
    }

    /// Appends tokens after the cached ones and returns the logits after the last.
    public func append(_ new: [Int32]) throws -> [Float] {
        guard !new.isEmpty else { throw LLMError.invalidArgument("nothing to append") }
        guard tokens.count + new.count <= cache.limit else {
            throw LLMError.contextFull(needed: tokens.count + new.count, limit: cache.limit)
        }
        let logits = try model.transformer.forward(new, cache: cache, logits: .last)
        tokens += new
        return logits
    }

    /// Forgets everything.
    public func reset() {
        cache.truncate(to: 0)
        tokens = []
    }

    // MARK: - Prompt cache on disk

    /// Restores the cache for `prefix` from `directory` if a matching file exists; otherwise computes it and
    /// saves it there. Returns true when it was loaded from disk.
    @discardableResult
    public func restoreOrSavePrefix(_ prefix: [Int32], directory: URL) throws -> Bool {
        guard !prefix.isEmpty else { return false }
        let file = PromptCacheFile(directory: directory, identity: model.identity, tokens: prefix)
        if tokens.starts(with: prefix) {
            lastComputed = 0
            return false
        }
        if let loaded = try? file.load(into: cache, layers: model.config.layers, width: model.config.kvWidth) {
            tokens = loaded
            return true
        }
        _ = try evaluate(prefix)
        try file.save(cache: cache, tokens: prefix, layers: model.config.layers, width: model.config.kvWidth)
        return false
    }
}
