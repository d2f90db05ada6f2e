import ModelFormats
import Tensor

/// Hyperparameters of a decoder-only transformer, read from GGUF metadata.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: String
    public var layers: Int
    public var embedding: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var feedForward: Int
    public var vocabulary: Int
    public var contextLength: Int
    public var ropeBase: Float
    public var ropeStyle: RotaryEmbedding.Style
    public var ropeDimensions: Int
    public var rmsEpsilon: Float
    /// Whether Q/K/V projections carry biases.
    public var attentionBias: Bool

    /// Reads the common `<arch>.*` keys; the architecture supplies RoPE style and bias.
    static func read(_ gguf: GGUFFile, architecture arch: String, ropeStyle: RotaryEmbedding.Style,
                     attentionBias: Bool) throws -> ModelConfig {
        func int(_ key: String) throws -> Int {
            guard let v = gguf["\(arch).\(key)"]?.intValue, v > 0 else { throw LLMError.missingMetadata(key: "\(arch).\(key)") }
            return v
        }
        func float(_ key: String, default value: Float? = nil) throws -> Float {
            if let v = gguf["\(arch).\(key)"]?.doubleValue { return Float(v) }
            if let value { return value }
            throw LLMError.missingMetadata(key: "\(arch).\(key)")
        }
        let embedding = try int("embedding_length"), heads = try int("attention.head_count")
        let kvHeads = gguf["\(arch).attention.head_count_kv"]?.intValue ?? heads
        let headDim = gguf["\(arch).attention.key_length"]?.intValue ?? embedding / heads
        guard let tokens = gguf["tokenizer.ggml.tokens"]?.arrayValue else { throw LLMError.missingMetadata(key: "tokenizer.ggml.tokens") }
        let config = ModelConfig(
            architecture: arch, layers: try int("block_count"), embedding: embedding, heads: heads, kvHeads: kvHeads,
            headDim: headDim, feedForward: try int("feed_forward_length"), vocabulary: tokens.count,
            contextLength: try int("context_length"), ropeBase: try float("rope.freq_base", default: 10_000),
            ropeStyle: ropeStyle, ropeDimensions: gguf["\(arch).rope.dimension_count"]?.intValue ?? headDim,
            rmsEpsilon: try float("attention.layer_norm_rms_epsilon"), attentionBias: attentionBias)
        try config.validate()
        return config
    }

    func validate() throws {
        guard layers <= 512, embedding <= 65536, heads <= 1024, feedForward <= 1 << 20, vocabulary <= 1 << 24 else {
            throw LLMError.invalidConfiguration("sizes out of range (layers \(layers), embedding \(embedding), heads \(heads))")
        }
        guard kvHeads > 0, heads % kvHeads == 0 else {
            throw LLMError.invalidConfiguration("\(heads) heads are not a multiple of \(kvHeads) KV heads")
        }
        guard headDim > 0, headDim % 16 == 0, headDim <= 256, ropeDimensions <= headDim, ropeDimensions % 2 == 0 else {
            throw LLMError.invalidConfiguration("head dimension \(headDim) / rope dimensions \(ropeDimensions) unsupported")
        }
        guard embedding % 32 == 0, feedForward % 32 == 0, (heads * headDim) % 32 == 0 else {
            throw LLMError.invalidConfiguration("embedding \(embedding) and feed-forward \(feedForward) must be multiples of 32")
        }
        // Hyper-parameters a damaged or hostile file could make NaN or absurd (a NaN epsilon generates "!!!!").
        guard ropeBase.isFinite, ropeBase >= 1, ropeBase <= 1e9 else {
            throw LLMError.invalidConfiguration("rope.freq_base \(ropeBase) is not a finite number from 1 to 1e9; the file's metadata is damaged")
        }
        guard rmsEpsilon.isFinite, rmsEpsilon > 0, rmsEpsilon <= 0.1 else {
            throw LLMError.invalidConfiguration("attention.layer_norm_rms_epsilon \(rmsEpsilon) is not a finite number above 0 and at most 0.1; the file's metadata is damaged")
        }
        guard contextLength <= 1 << 24 else {
            throw LLMError.invalidConfiguration("context_length \(contextLength) is above 16M tokens; the file's metadata is damaged")
        }
    }

    /// Query width `heads · headDim`.
    public var queryWidth: Int { heads * headDim }
    /// Key/value width `kvHeads · headDim`.
    public var kvWidth: Int { kvHeads * headDim }
}
