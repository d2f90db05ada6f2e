import ModelFormats
import Tensor

/// Qwen2 (Qwen2.5, Qwen2.5-Coder): RMSNorm, grouped-query attention with Q/K/V biases, rotate-half RoPE
/// (ggml NEOX) with base 1e6, SwiGLU; a separate `output.weight` when present, else tied embeddings.
public enum Qwen2: ModelArchitecture {
    public static let name = "qwen2"

    public static func configuration(_ gguf: GGUFFile) throws -> ModelConfig {
        try ModelConfig.read(gguf, architecture: name, ropeStyle: .halves, attentionBias: true)
    }
}
