/// Errors from JSON parsing, schema compilation and validation. Messages name the place in the document
/// (a JSON path such as `arguments.query`) and what was expected.
public enum ToolSchemaError: Error, CustomStringConvertible, Equatable {
    /// Text that is not JSON: where and why.
    case invalidJSON(offset: Int, reason: String)
    /// A schema construct Loupe cannot turn into a grammar.
    case unsupportedSchema(path: String, reason: String)
    /// A value that does not satisfy its schema.
    case validation(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidJSON(offset, reason): return "invalid JSON at byte \(offset): \(reason)"
        case let .unsupportedSchema(path, reason): return "schema at \(path.isEmpty ? "(root)" : path): \(reason)"
        case let .validation(path, reason): return "\(path.isEmpty ? "value" : path): \(reason)"
        }
    }
}
