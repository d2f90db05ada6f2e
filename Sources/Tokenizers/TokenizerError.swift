/// Errors from building a tokenizer out of a model file's vocabulary.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// A required metadata key is absent or has the wrong type.
    case missingMetadata(key: String, expected: String)
    /// The vocabulary is inconsistent (field says what, reason says why).
    case invalidVocabulary(field: String, reason: String)
    /// A vocabulary kind or pre-tokenizer Loupe does not implement.
    case unsupported(String)

    public var description: String {
        switch self {
        case let .missingMetadata(key, expected):
            return "tokenizer: metadata \(key) is missing or not \(expected) (is this a GGUF language model?)"
        case let .invalidVocabulary(field, reason):
            return "tokenizer: invalid \(field): \(reason)"
        case let .unsupported(what):
            return "tokenizer: unsupported \(what)"
        }
    }
}
