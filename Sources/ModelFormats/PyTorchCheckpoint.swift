import Tensor

/// A legacy (non-zip) `torch.save` file holding a state dict: magic number, protocol, system info, the
/// pickled dict (tensors as `_rebuild_tensor_v2` calls on persistent storages), the storage keys, then
/// each storage's raw little-endian data. Nothing is executed; tensors are located and checked against
/// their storage, then read on request.
public final class PyTorchCheckpoint: @unchecked Sendable {
    public enum DType: String, Sendable {
        case float32 = "FloatStorage", float64 = "DoubleStorage", float16 = "HalfStorage", bfloat16 = "BFloat16Storage"
        case int64 = "LongStorage", int32 = "IntStorage", int16 = "ShortStorage", int8 = "CharStorage"
        case uint8 = "ByteStorage", bool = "BoolStorage"

        var size: Int {
            switch self {
            case .float64, .int64: return 8
            case .float32, .int32: return 4
            case .float16, .bfloat16, .int16: return 2
            case .int8, .uint8, .bool: return 1
            }
        }
    }

    public struct Tensor: Sendable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        public let strides: [Int]
        /// Offset in elements into the storage, and the storage's byte range in the file.
        let offset: Int
        let storage: Range<Int>
        public var count: Int { shape.reduce(1, *) }
    }

    public let source: ByteSource
    /// Tensors in the state dict's order.
    public let tensors: [Tensor]
    private let index: [String: Int]
    static let format = "pytorch pickle"
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    public convenience init(path: String) throws {
        try self.init(source: ByteSource(mapping: path))
    }

    public init(source: ByteSource) throws {
        self.source = source
        var u = Unpickler(reader: BinaryReader(source, format: Self.format))
        guard case let .bytes(magic) = try u.load(), magic == Self.magic else {
            throw ModelFormatError.invalidField(format: Self.format, field: "magic number",
                                                reason: "not a legacy torch.save file (a zip-based .pt needs the zip reader)")
        }
        guard try u.load().intValue == 1001 else { throw ModelFormatError.unsupported(format: Self.format, feature: "protocol version (expected 1001)") }
        _ = try u.load()  // system info
        let root = try u.load()
        guard let keyList = try u.load().tupleValue else {
            throw ModelFormatError.invalidField(format: Self.format, field: "storage keys", reason: "not a list")
        }
        // Storages follow in key order: element count (u64), then the data.
        var storages: [String: (dtype: DType?, range: Range<Int>)] = [:]
        var storageTypes: [String: DType] = [:]
        var records: [(name: String, call: PickleCall)] = []
        guard case let .dict(dict) = root else {
            throw ModelFormatError.unsupported(format: Self.format, feature: "a top-level object that is not a state dict")
        }
        for (k, v) in dict.pairs {
            guard let name = k.stringValue, case let .call(c) = v else { continue }
            records.append((name, c))
            if let (key, dtype) = Self.storageReference(c.arguments.first) { storageTypes[key] = dtype }
        }
        var r = u.reader
        for k in keyList {
            guard let key = k.stringValue else { throw ModelFormatError.invalidField(format: Self.format, field: "storage keys", reason: "a key is not a string") }
            let elements = try r.readU64("element count of storage \(key)")
            let size = storageTypes[key]?.size ?? 1
            guard elements <= UInt64(r.remaining / size) else {
                throw ModelFormatError.truncated(format: Self.format, field: "data of storage \(key)", offset: UInt64(r.offset),
                                                 needed: elements.multipliedReportingOverflow(by: UInt64(size)).partialValue,
                                                 available: UInt64(r.remaining))
            }
            let start = r.offset
            try r.skip(Int(elements) * size, "data of storage \(key)")
            storages[key] = (storageTypes[key], start..<r.offset)
        }
        var tensors: [Tensor] = []
        for (name, c) in records {
            guard case let .global(module, function) = c.callable, module == "torch._utils",
                  function == "_rebuild_tensor_v2" || function == "_rebuild_tensor" else { continue }
            let args = c.arguments
            guard args.count >= 4, let (key, dtype) = Self.storageReference(args[0]), let offset = args[1].intValue,
                  let shape = args[2].tupleValue?.compactMap(\.intValue), let strides = args[3].tupleValue?.compactMap(\.intValue),
                  shape.count == strides.count, let storage = storages[key]
            else {
                throw ModelFormatError.invalidField(format: Self.format, field: "tensor \(name)", reason: "malformed _rebuild_tensor arguments")
            }
            let elements = storage.range.count / dtype.size
            var last = offset
            for (n, s) in zip(shape, strides) {
                guard n >= 0, s >= 0, n <= Int64(Int32.max), s <= Int64(Int32.max) else {
                    throw ModelFormatError.invalidField(format: Self.format, field: "shape of \(name)", reason: "sizes \(shape) strides \(strides)")
                }
                if n > 0 { last += (n - 1) * s }
            }
            guard offset >= 0, shape.contains(0) || last < Int64(elements) else {
                throw ModelFormatError.invalidField(format: Self.format, field: "tensor \(name)",
                                                    reason: "reaches element \(last) of a storage of \(elements)")
            }
            tensors.append(Tensor(name: name, dtype: dtype, shape: shape.map(Int.init), strides: strides.map(Int.init),
                                  offset: Int(offset), storage: storage.range))
        }
        self.tensors = tensors
        index = Dictionary(tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// ('storage', torch.<Type>Storage, key, location, size, …) → (key, dtype).
    static func storageReference(_ value: PickleValue?) -> (String, DType)? {
        guard case let .persistent(id)? = value, let parts = id.tupleValue, parts.count >= 3,
              case let .global(_, typeName) = parts[1], let dtype = DType(rawValue: typeName), let key = parts[2].stringValue
        else { return nil }
        return (key, dtype)
    }

    public func tensor(_ name: String) -> Tensor? { index[name].map { tensors[$0] } }

    /// The elements in row-major order of `shape`, as Float (strides followed).
    public func floats(_ t: Tensor) -> [Float] {
        let b = UnsafeRawBufferPointer(rebasing: source.buffer[t.storage])
        func element(_ i: Int) -> Float {
            switch t.dtype {
            case .float32: return b.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)
            case .float64: return Float(b.loadUnaligned(fromByteOffset: 8 * i, as: Double.self))
            case .float16: return ONNXTensor.half(b.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            case .bfloat16: return Float(bitPattern: UInt32(b.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16)
            case .int64: return Float(b.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
            case .int32: return Float(b.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
            case .int16: return Float(b.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))
            case .int8: return Float(Int8(bitPattern: b[i]))
            case .uint8, .bool: return Float(b[i])
            }
        }
        let n = t.count
        var out = [Float](repeating: 0, count: n)
        var position = [Int](repeating: 0, count: t.shape.count)
        for i in 0..<n {
            var e = t.offset
            for d in 0..<position.count { e += position[d] * t.strides[d] }
            out[i] = element(e)
            IndexCounter.advance(&position, in: t.shape)
        }
        return out
    }
}
