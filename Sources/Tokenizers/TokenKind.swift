/// The type of a vocabulary entry (GGUF `tokenizer.ggml.token_type`).
public enum TokenKind: Int32, Sendable {
    case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6

    /// Tokens matched as whole strings before BPE: user-defined ones always, control/unknown ones only
    /// when special tokens are parsed.
    func isSpecial(parseSpecial: Bool) -> Bool {
        switch self {
        case .userDefined: return true
        case .control, .unknown: return parseSpecial
        default: return false
        }
    }
}
