/// An ONNX model read from its protobuf encoding: graph nodes, initializers, inputs/outputs and metadata.
///
/// Weights are not copied: tensors keep the byte range of their `raw_data` in the (memory-mapped) source
/// and are decoded on request. Weights stored in `Constant` nodes are attributes of those nodes. Every
/// count and size is checked; external-data tensors are rejected with a clear error.
public final class ONNXModel: @unchecked Sendable {
    public let irVersion: Int64
    /// (domain, version) pairs; "" is the default ONNX domain.
    public let opsets: [(domain: String, version: Int64)]
    public let producer: String
    public let graph: ONNXGraph
    /// `metadata_props` (e.g. PP-OCR's `character` list).
    public let metadata: [String: String]
    public let source: ByteSource

    /// Maps and parses the file at `path`.
    public convenience init(path: String) throws {
        try self.init(source: ByteSource(mapping: path))
    }

    public init(source: ByteSource) throws {
        self.source = source
        var r = ProtobufReader(source: source, message: "ModelProto")
        var ir: Int64 = 0, opsets: [(String, Int64)] = [], producer = "", graph: ONNXGraph?, metadata: [String: String] = [:]
        while let f = try r.next() {
            switch f.number {
            case 1: ir = Int64(bitPattern: f.scalar)
            case 2 where f.wireType == .lengthDelimited: producer = r.string(f)
            case 7: graph = try ONNXGraph(try r.nested(f, message: "GraphProto"), depth: 0)
            case 8:
                var o = try r.nested(f, message: "OperatorSetIdProto")
                var domain = "", version: Int64 = 0
                while let g = try o.next() {
                    if g.number == 1, g.wireType == .lengthDelimited { domain = o.string(g) }
                    if g.number == 2 { version = Int64(bitPattern: g.scalar) }
                }
                opsets.append((domain, version))
            case 14:
                var e = try r.nested(f, message: "metadata_props")
                var key = "", value = ""
                while let g = try e.next() {
                    guard g.wireType == .lengthDelimited else { continue }
                    if g.number == 1 { key = e.string(g) } else if g.number == 2 { value = e.string(g) }
                }
                metadata[key] = value
            default: break
            }
        }
        guard let graph else { throw ModelFormatError.missingEntry(format: "onnx", name: "graph (ModelProto field 7): not an ONNX model") }
        irVersion = ir
        self.opsets = opsets
        self.producer = producer
        self.graph = graph
        self.metadata = metadata
    }
}

/// The graph: nodes in file (topological) order, initializers, and the declared inputs and outputs.
public struct ONNXGraph: Sendable {
    public var name = ""
    public var nodes: [ONNXNode] = []
    public var initializers: [ONNXTensor] = []
    public var inputs: [ONNXValueInfo] = []
    public var outputs: [ONNXValueInfo] = []

    init(_ reader: ProtobufReader, depth: Int) throws {
        guard depth < 4 else { throw ModelFormatError.invalidField(format: "onnx", field: "GraphProto", reason: "subgraphs nested too deep") }
        var r = reader
        while let f = try r.next() {
            guard f.wireType == .lengthDelimited else { continue }
            switch f.number {
            case 1: nodes.append(try ONNXNode(try r.nested(f, message: "NodeProto #\(nodes.count)"), depth: depth))
            case 2: name = r.string(f)
            case 5: initializers.append(try ONNXTensor(try r.nested(f, message: "initializer #\(initializers.count)")))
            case 11: inputs.append(try ONNXValueInfo(try r.nested(f, message: "graph input")))
            case 12: outputs.append(try ONNXValueInfo(try r.nested(f, message: "graph output")))
            default: break
            }
        }
    }
}

/// One operator application.
public struct ONNXNode: Sendable {
    public var name = ""
    public var opType = ""
    public var domain = ""
    /// Input value names ("" for an omitted optional input).
    public var inputs: [String] = []
    public var outputs: [String] = []
    public var attributes: [String: ONNXAttribute] = [:]

    init(_ reader: ProtobufReader, depth: Int) throws {
        var r = reader
        while let f = try r.next() {
            guard f.wireType == .lengthDelimited else { continue }
            switch f.number {
            case 1: inputs.append(r.string(f))
            case 2: outputs.append(r.string(f))
            case 3: name = r.string(f)
            case 4: opType = r.string(f)
            case 7: domain = r.string(f)
            case 5:
                let a = try ONNXAttribute(try r.nested(f, message: "attribute of \(opType.isEmpty ? "node" : opType)"), depth: depth)
                attributes[a.name] = a
            default: break
            }
        }
        guard !opType.isEmpty else { throw ModelFormatError.invalidField(format: "onnx", field: "NodeProto \(name)", reason: "no op_type") }
    }
}

/// A node attribute.
public struct ONNXAttribute: Sendable {
    public enum Value: Sendable {
        case float(Float), int(Int64), string(String), tensor(ONNXTensor)
        case floats([Float]), ints([Int64]), strings([String])
        /// A subgraph (If/Loop bodies); Loupe's graphs do not use them.
        case graph
    }

    public var name = ""
    public var value: Value = .ints([])

    init(_ reader: ProtobufReader, depth: Int) throws {
        var r = reader
        var floats: [Float] = [], ints: [Int64] = [], strings: [String] = []
        var scalar: Value?
        var type: UInt64 = 0
        while let f = try r.next() {
            switch f.number {
            case 1 where f.wireType == .lengthDelimited: name = r.string(f)
            case 2 where f.wireType == .fixed32: scalar = .float(Float(bitPattern: UInt32(truncatingIfNeeded: f.scalar)))
            case 3 where f.wireType == .varint: scalar = .int(Int64(bitPattern: f.scalar))
            case 4 where f.wireType == .lengthDelimited: scalar = .string(r.string(f))
            case 5 where f.wireType == .lengthDelimited: scalar = .tensor(try ONNXTensor(try r.nested(f, message: "tensor attribute \(name)")))
            case 6: scalar = .graph
            case 7: floats += try r.floats(f)
            case 8: ints += try r.varints(f).map { Int64(bitPattern: $0) }
            case 9 where f.wireType == .lengthDelimited: strings.append(r.string(f))
            case 20: type = f.scalar
            default: break
            }
        }
        switch type {
        case 6: value = .floats(floats)
        case 7: value = .ints(ints)
        case 8: value = .strings(strings)
        default:
            if let scalar { value = scalar } else if !floats.isEmpty { value = .floats(floats) } else if !strings.isEmpty {
                value = .strings(strings)
            } else { value = .ints(ints) }
        }
    }

    public var int: Int64? { if case let .int(v) = value { return v } else { return nil } }
    public var float: Float? { if case let .float(v) = value { return v } else if case let .int(v) = value { return Float(v) } else { return nil } }
    public var ints: [Int64]? { if case let .ints(v) = value { return v } else { return nil } }
    public var floats: [Float]? { if case let .floats(v) = value { return v } else { return nil } }
    public var string: String? { if case let .string(v) = value { return v } else { return nil } }
    public var tensor: ONNXTensor? { if case let .tensor(v) = value { return v } else { return nil } }
}

/// A declared graph input or output: name, element type and shape (a dimension is a number or a name).
public struct ONNXValueInfo: Sendable {
    public enum Dimension: Sendable, Equatable { case fixed(Int), symbolic(String) }
    public var name = ""
    public var elementType: Int32 = 0
    public var shape: [Dimension] = []

    init(_ reader: ProtobufReader) throws {
        var r = reader
        while let f = try r.next() {
            if f.number == 1, f.wireType == .lengthDelimited { name = r.string(f) }
            guard f.number == 2, f.wireType == .lengthDelimited else { continue }
            var type = try r.nested(f, message: "TypeProto of \(name)")
            while let t = try type.next() {
                guard t.number == 1, t.wireType == .lengthDelimited else { continue }
                var tensor = try type.nested(t, message: "tensor type of \(name)")
                while let g = try tensor.next() {
                    if g.number == 1 { elementType = Int32(truncatingIfNeeded: g.scalar) }
                    guard g.number == 2, g.wireType == .lengthDelimited else { continue }
                    var shapeReader = try tensor.nested(g, message: "shape of \(name)")
                    while let d = try shapeReader.next() {
                        guard d.number == 1, d.wireType == .lengthDelimited else { continue }
                        var dim = try shapeReader.nested(d, message: "dimension of \(name)")
                        var value: Dimension = .symbolic("?")
                        while let x = try dim.next() {
                            if x.number == 1, x.wireType == .varint { value = .fixed(Int(truncatingIfNeeded: Int64(bitPattern: x.scalar))) }
                            if x.number == 2, x.wireType == .lengthDelimited { value = .symbolic(dim.string(x)) }
                        }
                        shape.append(value)
                    }
                }
            }
        }
    }
}
