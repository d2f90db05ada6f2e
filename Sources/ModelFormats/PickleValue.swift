/// A value built by the minimal unpickler. Lists and dicts are boxes (pickle mutates them after creation).
public indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A reference to a Python global (`module.name`), e.g. a class or function.
    case global(module: String, name: String)
    /// The result of calling a global with arguments (REDUCE / NEWOBJ), with any BUILD state.
    case call(PickleCall)
    /// An object the file refers to by persistent id (PyTorch storages).
    case persistent(PickleValue)

    public var intValue: Int64? { if case let .int(v) = self { return v } else { return nil } }
    public var stringValue: String? { if case let .string(v) = self { return v } else { return nil } }
    public var tupleValue: [PickleValue]? {
        switch self {
        case let .tuple(v): return v
        case let .list(l): return l.items
        default: return nil
        }
    }
}

public final class PickleList { public var items: [PickleValue] = [] }

/// Keys in insertion order (an OrderedDict stays ordered).
public final class PickleDict {
    public var pairs: [(key: PickleValue, value: PickleValue)] = []
}

public final class PickleCall {
    public let callable: PickleValue
    public let arguments: [PickleValue]
    public var state: PickleValue?
    init(callable: PickleValue, arguments: [PickleValue]) {
        self.callable = callable
        self.arguments = arguments
    }
}
