/// A TFLite model (FlatBuffers, identifier `TFL3`): operator codes, subgraphs (tensors, operators, inputs,
/// outputs) and buffers. Checked on load: operator and tensor indices in range, every buffer inside the
/// file and, when a constant tensor has data, its size matching shape × element size.
public final class TFLiteModel: @unchecked Sendable {
    /// TFLite `TensorType` values.
    public enum TensorType: Int8, Sendable {
        case float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, string = 5, bool = 6, int16 = 7, complex64 = 8,
             int8 = 9, float64 = 10

        public var size: Int? {
            switch self {
            case .float32, .int32: return 4
            case .float16, .int16: return 2
            case .uint8, .int8, .bool: return 1
            case .int64, .float64, .complex64: return 8
            case .string: return nil
            }
        }
    }

    public struct OperatorCode: Sendable {
        /// The builtin operator (`BuiltinOperator`), 32 for custom operators.
        public let builtin: Int32
        /// Custom operator name (e.g. `Convolution2DTransposeBias`).
        public let custom: String?
        public let version: Int32

        /// A readable name.
        public var name: String { custom ?? TFLiteModel.builtinNames[builtin] ?? "builtin \(builtin)" }
    }

    public struct Tensor: Sendable {
        public let name: String
        public let shape: [Int]
        public let type: TensorType
        /// Index into `buffers` (0: no data).
        public let buffer: Int
        /// Quantization scales and zero points, if any.
        public let scale: [Float]
        public let zeroPoint: [Int64]
    }

    public struct Operator: @unchecked Sendable {
        public let opcodeIndex: Int
        /// Tensor indices; -1 marks an omitted optional input.
        public let inputs: [Int]
        public let outputs: [Int]
        /// `BuiltinOptions` union type and table (read fields with `FlatTable.int/float`).
        public let optionsType: UInt8
        public let options: FlatTable?
        /// Bytes of `custom_options` (flexbuffer) in the source.
        public let customOptions: Range<Int>?
    }

    public struct Subgraph: Sendable {
        public let name: String
        public let tensors: [Tensor]
        public let inputs: [Int]
        public let outputs: [Int]
        public let operators: [Operator]
    }

    public let version: Int64
    public let description: String
    public let operatorCodes: [OperatorCode]
    public let subgraphs: [Subgraph]
    /// Byte range of each buffer's data in the source (empty for tensors without constant data).
    public let buffers: [Range<Int>]
    public let source: ByteSource

    public convenience init(path: String) throws {
        try self.init(source: ByteSource(mapping: path))
    }

    public init(source: ByteSource) throws {
        self.source = source
        guard source.count >= 8 else {
            throw ModelFormatError.truncated(format: "tflite", field: "header", offset: 0, needed: 8, available: UInt64(source.count))
        }
        let ident = String(decoding: UnsafeRawBufferPointer(rebasing: source.buffer[4..<8]), as: UTF8.self)
        guard ident == "TFL3" else {
            throw ModelFormatError.invalidField(format: "tflite", field: "file identifier", reason: "\"\(ident)\" is not TFL3 (not a TFLite model)")
        }
        let model = try FlatTable.root(source, what: "Model")
        version = try model.int(0, width: 4, signed: false)
        description = try model.string(3) ?? ""
        let operatorCodes = try model.tables(1, what: "OperatorCode").map { t in
            let deprecated = Int32(try t.int(0, width: 1))
            let builtin = Int32(truncatingIfNeeded: try t.int(3, width: 4))
            return OperatorCode(builtin: max(deprecated, builtin), custom: try t.string(1),
                                version: Int32(truncatingIfNeeded: try t.int(2, width: 4, default: 1)))
        }
        let buffers = try model.tables(4, what: "Buffer").enumerated().map { i, b in
            if let range = try b.bytes(0) { return range }
            let offset = try b.int(1, width: 8, signed: false), size = try b.int(2, width: 8, signed: false)
            guard offset > 1 || size == 0 else { return 0..<0 }
            guard offset >= 0, size >= 0, offset <= Int64(source.count), size <= Int64(source.count) - offset else {
                throw ModelFormatError.invalidField(format: "tflite", field: "buffer \(i)", reason: "offset \(offset) size \(size) lie outside the file")
            }
            return Int(offset)..<Int(offset + size)
        }
        var subgraphs: [Subgraph] = []
        for (si, g) in try model.tables(2, what: "SubGraph").enumerated() {
            let tensors = try g.tables(0, what: "Tensor").map { t -> Tensor in
                let name = try t.string(3) ?? ""
                guard let type = TensorType(rawValue: Int8(truncatingIfNeeded: try t.int(1, width: 1))) else {
                    throw ModelFormatError.unsupported(format: "tflite", feature: "tensor type \(try t.int(1, width: 1)) of \(name)")
                }
                let shape = try t.int32s(0).map(Int.init)
                guard shape.allSatisfy({ $0 >= -1 && $0 <= 1 << 24 }) else {
                    throw ModelFormatError.invalidField(format: "tflite", field: "shape of \(name)", reason: "\(shape) is out of range")
                }
                let q = try t.table(4, what: "quantization of \(name)")
                return Tensor(name: name, shape: shape, type: type, buffer: Int(try t.int(2, width: 4, signed: false)),
                              scale: try q?.floats(2) ?? [], zeroPoint: try q?.int64s(3) ?? [])
            }
            func checkIndices(_ list: [Int32], _ what: String) throws -> [Int] {
                for i in list where i < -1 || Int(i) >= tensors.count {
                    throw ModelFormatError.invalidField(format: "tflite", field: what, reason: "tensor index \(i) of \(tensors.count)")
                }
                return list.map(Int.init)
            }
            let operators = try g.tables(3, what: "Operator").enumerated().map { oi, o -> Operator in
                let opcode = Int(try o.int(0, width: 4, signed: false))
                guard opcode < operatorCodes.count else {
                    throw ModelFormatError.invalidField(format: "tflite", field: "operator \(oi) opcode_index",
                                                        reason: "\(opcode) of \(operatorCodes.count) operator codes")
                }
                let what = "operator \(oi) (\(operatorCodes[opcode].name))"
                return Operator(opcodeIndex: opcode, inputs: try checkIndices(try o.int32s(1), "\(what) inputs"),
                                outputs: try checkIndices(try o.int32s(2), "\(what) outputs"),
                                optionsType: UInt8(try o.int(3, width: 1, signed: false)),
                                options: try o.table(4, what: "options of \(what)"), customOptions: try o.bytes(5))
            }
            for t in tensors {
                guard t.buffer < buffers.count else {
                    throw ModelFormatError.invalidField(format: "tflite", field: "buffer of \(t.name)", reason: "\(t.buffer) of \(buffers.count) buffers")
                }
                let data = buffers[t.buffer]
                if !data.isEmpty, let size = t.type.size, t.shape.allSatisfy({ $0 >= 0 }) {
                    let expected = t.shape.reduce(size, *)
                    guard data.count == expected else {
                        throw ModelFormatError.invalidField(format: "tflite", field: "data of \(t.name)",
                                                            reason: "\(data.count) bytes for shape \(t.shape) of \(t.type) (\(expected) expected)")
                    }
                }
            }
            subgraphs.append(Subgraph(name: try g.string(4) ?? "subgraph \(si)", tensors: tensors,
                                      inputs: try checkIndices(try g.int32s(1), "subgraph inputs"),
                                      outputs: try checkIndices(try g.int32s(2), "subgraph outputs"), operators: operators))
        }
        guard !subgraphs.isEmpty else { throw ModelFormatError.missingEntry(format: "tflite", name: "subgraph") }
        self.operatorCodes = operatorCodes
        self.buffers = buffers
        self.subgraphs = subgraphs
    }

    /// The constant data of a tensor as Float (float32, float16, int8/uint8 dequantized with its scale), or
    /// nil when it has none.
    public func constant(_ t: Tensor) -> [Float]? {
        let range = buffers[t.buffer]
        guard !range.isEmpty else { return nil }
        let b = UnsafeRawBufferPointer(rebasing: source.buffer[range])
        let n = t.shape.reduce(1, *)
        switch t.type {
        case .float32: return (0..<n).map { b.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
        case .float16: return (0..<n).map { ONNXTensor.half(b.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        case .int32: return (0..<n).map { Float(b.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        case .int64: return (0..<n).map { Float(b.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case .int8, .uint8:
            let s = t.scale.first ?? 1, z = Float(t.zeroPoint.first ?? 0)
            return (0..<n).map { (Float(t.type == .int8 ? Int(Int8(bitPattern: b[$0])) : Int(b[$0])) - z) * s }
        default: return nil
        }
    }

    /// Names of the builtin operators these models use (others print as "builtin N").
    static let builtinNames: [Int32: String] = [
        0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D", 6: "DEQUANTIZE",
        9: "FULLY_CONNECTED", 14: "LOGISTIC", 17: "MAX_POOL_2D", 18: "MUL", 19: "RELU", 21: "RELU6", 22: "RESHAPE",
        23: "RESIZE_BILINEAR", 25: "SOFTMAX", 32: "CUSTOM", 34: "PAD", 39: "TRANSPOSE", 40: "MEAN", 41: "SUB",
        49: "SPLIT", 53: "CAST", 54: "PRELU", 67: "TRANSPOSE_CONV", 97: "RESIZE_NEAREST_NEIGHBOR", 117: "HARD_SWISH",
    ]
}
