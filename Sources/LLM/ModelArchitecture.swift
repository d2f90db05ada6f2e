import ModelFormats

/// What distinguishes one decoder architecture from another: how its configuration is read from GGUF
/// metadata. The forward pass itself (`Transformer`) is shared.
public protocol ModelArchitecture: Sendable {
    /// The `general.architecture` value.
    static var name: String { get }
    /// Reads the hyperparameters.
    static func configuration(_ gguf: GGUFFile) throws -> ModelConfig
}

/// The architectures Loupe runs.
public enum Architectures {
    public static let all: [any ModelArchitecture.Type] = [Qwen2.self, Llama.self]

    /// The architecture a GGUF file declares.
    public static func of(_ gguf: GGUFFile) throws -> any ModelArchitecture.Type {
        guard let name = gguf["general.architecture"]?.stringValue else { throw LLMError.missingMetadata(key: "general.architecture") }
        guard let arch = all.first(where: { $0.name == name }) else { throw LLMError.unsupportedArchitecture(name) }
        return arch
    }
}
