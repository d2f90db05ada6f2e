import Agent
import Skills

/// The agent's sentence embedder on the MiniLM network the skills already load.
struct MiniLMEmbedder: TextEmbedder {
    let models: PerceptionModels
    func embed(_ text: String) throws -> [Float] { try models.sentences().embed(text) }
}
