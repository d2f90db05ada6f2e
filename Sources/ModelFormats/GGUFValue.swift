/// A GGUF metadata value. Integers keep their signedness; arrays keep their element type.
public indirect enum GGUFValue: Sendable, Equatable, CustomStringConvertible {
    case uint(UInt64)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case string(String)
    /// An array; `elementType` is the GGUF value type id of its items.
    case array(elementType: UInt32, [GGUFValue])

    /// The value as an Int when it is an integer that fits.
    public var intValue: Int? {
        switch self {
        case let .uint(v): return v <= UInt64(Int.max) ? Int(v) : nil
        case let .int(v): return Int(exactly: v)
        default: return nil
        }
    }

    /// The value as a Double when it is a number.
    public var doubleValue: Double? {
        switch self {
        case let .float(v): return v
        case let .uint(v): return Double(v)
        case let .int(v): return Double(v)
        default: return nil
        }
    }

    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    public var arrayValue: [GGUFValue]? { if case let .array(_, a) = self { return a } else { return nil } }

    public var description: String {
        switch self {
        case let .uint(v): return "\(v)"
        case let .int(v): return "\(v)"
        case let .float(v): return "\(v)"
        case let .bool(v): return "\(v)"
        case let .string(s): return s.count > 60 ? "\"\(s.prefix(57))…\"" : "\"\(s)\""
        case let .array(_, items): return "[\(items.count) items]"
        }
    }
}

/// Description of one tensor in a GGUF file.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// Dimensions, innermost first (ggml order: `shape[0]` is the row length).
    public let shape: [Int]
    /// The ggml type id (see `Tensor.GGMLType`; ids Loupe does not implement are kept, not rejected here).
    public let typeID: UInt32
    /// Offset of the data from the start of the file.
    public let fileOffset: Int
    /// Size of the data in bytes.
    public let byteCount: Int

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
}
