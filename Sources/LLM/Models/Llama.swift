import ModelFormats
import Tensor

/// Llama (SmolLM2 and other llama-family GGUFs): RMSNorm, grouped-query attention without biases, RoPE
/// on adjacent pairs (ggml NORM: the GGUF converter permuted Q/K rows for it), SwiGLU, usually tied
/// embeddings (`token_embd` doubles as the output layer when `output.weight` is absent).
public enum Llama: ModelArchitecture {
    public static let name = "llama"

    public static func configuration(_ gguf: GGUFFile) throws -> ModelConfig {
        try ModelConfig.read(gguf, architecture: name, ropeStyle: .adjacent, attentionBias: false)
    }
}
