/// Errors of the language-model engine. Each says what was wrong and the likely cause.
public enum LLMError: Error, CustomStringConvertible, Equatable {
    /// A GGUF metadata key the architecture needs is missing or has the wrong type.
    case missingMetadata(key: String)
    /// A tensor the architecture needs is absent.
    case missingTensor(name: String)
    /// A tensor has the wrong shape or an unusable type.
    case badTensor(name: String, reason: String)
    /// The file's `general.architecture` is not implemented.
    case unsupportedArchitecture(String)
    /// Hyperparameters contradict each other.
    case invalidConfiguration(String)
    /// A token id outside the vocabulary.
    case tokenOutOfRange(id: Int32, vocabulary: Int)
    /// The prompt plus generation would exceed the context window.
    case contextFull(needed: Int, limit: Int)
    /// A prompt cache file could not be used.
    case promptCache(String)
    /// Bad generation settings or input (the message says which).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .missingMetadata(key): return "model file has no \(key) (not a supported GGUF language model, or a corrupt header)"
        case let .missingTensor(name): return "model file has no tensor \(name) (wrong architecture or an incomplete file)"
        case let .badTensor(name, reason): return "tensor \(name): \(reason)"
        case let .unsupportedArchitecture(arch): return "architecture \"\(arch)\" is not supported (Loupe runs qwen2 and llama)"
        case let .invalidConfiguration(message): return "invalid model configuration: \(message)"
        case let .tokenOutOfRange(id, vocabulary): return "token id \(id) is outside the vocabulary of \(vocabulary)"
        case let .contextFull(needed, limit): return "\(needed) tokens do not fit in the context window of \(limit)"
        case let .promptCache(message): return "prompt cache: \(message)"
        case let .invalidArgument(message): return message
        }
    }
}
