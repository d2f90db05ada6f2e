/// Errors of the graph runtime: unsupported operators (named with their node), bad attributes, shapes
/// that do not fit, missing inputs.
public enum GraphRuntimeError: Error, CustomStringConvertible, Equatable {
    case unsupportedOperator(op: String, node: String)
    case invalidAttribute(op: String, node: String, reason: String)
    case shapeMismatch(op: String, node: String, reason: String)
    case missingValue(name: String, node: String)

    public var description: String {
        switch self {
        case let .unsupportedOperator(op, node): return "operator \(op) (node \"\(node)\") is not supported by Loupe's graph runtime"
        case let .invalidAttribute(op, node, reason): return "\(op) node \"\(node)\": \(reason)"
        case let .shapeMismatch(op, node, reason): return "\(op) node \"\(node)\": \(reason)"
        case let .missingValue(name, node): return "node \"\(node)\" needs value \"\(name)\", which nothing produced (missing graph input?)"
        }
    }
}
