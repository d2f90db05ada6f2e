/// A value stored in or read from SQLite.
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The integer, if this is one.
    public var int: Int64? { if case let .integer(v) = self { return v } else { return nil } }
    /// The number as a double (integers convert).
    public var double: Double? {
        switch self {
        case let .real(v): return v
        case let .integer(v): return Double(v)
        default: return nil
        }
    }
    /// The text, if this is text.
    public var string: String? { if case let .text(v) = self { return v } else { return nil } }
    /// The bytes, if this is a blob.
    public var bytes: [UInt8]? { if case let .blob(v) = self { return v } else { return nil } }
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(nilLiteral: ()) { self = .null }
}
