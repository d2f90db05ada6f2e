/// A constant tensor in an ONNX file (initializer or `Constant` attribute). Data stays in the source until
/// `floatValues()`/`int64Values()` decode it; element counts and byte sizes are checked when it is read.
public struct ONNXTensor: @unchecked Sendable {
    /// ONNX `TensorProto.DataType` values Loupe decodes.
    public enum DataType: Int32, Sendable {
        case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7, bool = 9, float16 = 10,
             double = 11, uint32 = 12, uint64 = 13, bfloat16 = 16

        var size: Int {
            switch self {
            case .uint8, .int8, .bool: return 1
            case .uint16, .int16, .float16, .bfloat16: return 2
            case .float, .int32, .uint32: return 4
            case .int64, .double, .uint64: return 8
            }
        }
    }

    enum Storage {
        case raw(ByteSource, Range<Int>)
        case floats([Float]), int32s([Int64]), int64s([Int64]), doubles([Double])
        case none
    }

    public var name = ""
    public var dataType: DataType = .float
    public var dims: [Int] = []
    var storage: Storage = .none

    /// Number of elements (product of dims; 1 for a scalar).
    public var count: Int { dims.reduce(1, *) }

    init(_ reader: ProtobufReader) throws {
        var r = reader
        var type: Int32 = 0
        var floats: [Float] = [], int32s: [Int64] = [], int64s: [Int64] = [], doubles: [Double] = []
        var external = false
        while let f = try r.next() {
            switch f.number {
            case 1: dims += try r.varints(f).map { Int(truncatingIfNeeded: Int64(bitPattern: $0)) }
            case 2: type = Int32(truncatingIfNeeded: f.scalar)
            case 4: floats += try r.floats(f)
            case 5: int32s += try r.varints(f).map { Int64(Int32(truncatingIfNeeded: $0)) }
            case 7: int64s += try r.varints(f).map { Int64(bitPattern: $0) }
            case 8 where f.wireType == .lengthDelimited: name = r.string(f)
            case 9 where f.wireType == .lengthDelimited: storage = .raw(r.source, f.range)
            case 10 where f.wireType == .lengthDelimited:
                let b = r.source.buffer
                guard f.range.count % 8 == 0 else { throw ModelFormatError.invalidField(format: "onnx", field: "double_data of \(name)", reason: "not whole doubles") }
                doubles += stride(from: f.range.lowerBound, to: f.range.upperBound, by: 8).map { o in
                    var v: UInt64 = 0
                    for i in 0..<8 { v |= UInt64(b[o + i]) << (8 * UInt64(i)) }
                    return Double(bitPattern: v)
                }
            case 13, 14: if f.number == 13 || f.scalar == 1 { external = true }
            default: break
            }
        }
        guard !external else {
            throw ModelFormatError.unsupported(format: "onnx", feature: "external data for tensor \(name) (weights must be inside the .onnx file)")
        }
        guard let dt = DataType(rawValue: type) else {
            throw ModelFormatError.unsupported(format: "onnx", feature: "data type \(type) of tensor \(name)")
        }
        dataType = dt
        var elements = 1
        for d in dims {
            guard d >= 0 else { throw ModelFormatError.invalidField(format: "onnx", field: "dims of \(name)", reason: "negative dimension \(d)") }
            let (p, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow, p <= Int(Int32.max) else {
                throw ModelFormatError.invalidField(format: "onnx", field: "dims of \(name)", reason: "\(dims) has too many elements")
            }
            elements = p
        }
        if case .none = storage {
            if !floats.isEmpty { storage = .floats(floats) } else if !int64s.isEmpty { storage = .int64s(int64s) } else if !doubles.isEmpty {
                storage = .doubles(doubles)
            } else if !int32s.isEmpty { storage = .int32s(int32s) }
        }
        let stored: Int
        switch storage {
        case let .raw(_, range):
            guard range.count == elements * dt.size else {
                throw ModelFormatError.invalidField(format: "onnx", field: "raw_data of \(name)",
                                                    reason: "\(range.count) bytes for \(elements) elements of \(dt) (\(elements * dt.size) expected)")
            }
            stored = elements
        case let .floats(v): stored = v.count
        case let .int32s(v): stored = v.count
        case let .int64s(v): stored = v.count
        case let .doubles(v): stored = v.count
        case .none: stored = 0
        }
        guard stored == elements else {
            throw ModelFormatError.invalidField(format: "onnx", field: "data of \(name)", reason: "\(stored) values for shape \(dims)")
        }
    }

    /// The elements converted to Float.
    public func floatValues() -> [Float] {
        switch storage {
        case let .floats(v): return v
        case let .int32s(v): return dataType == .float16 ? v.map { Self.half(UInt16(truncatingIfNeeded: $0)) } : v.map { Float($0) }
        case let .int64s(v): return v.map { Float($0) }
        case let .doubles(v): return v.map { Float($0) }
        case .none: return []
        case let .raw(source, range):
            let b = UnsafeRawBufferPointer(rebasing: source.buffer[range])
            let n = count
            switch dataType {
            case .float: return (0..<n).map { b.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
            case .double: return (0..<n).map { Float(b.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self)) }
            case .float16: return (0..<n).map { Self.half(b.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
            case .bfloat16: return (0..<n).map { Float(bitPattern: UInt32(b.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16) }
            default: return int64Values().map { Float($0) }
            }
        }
    }

    /// The elements converted to Int64 (floats truncated).
    public func int64Values() -> [Int64] {
        switch storage {
        case let .int64s(v), let .int32s(v): return v
        case let .floats(v): return v.map { Int64(exactly: $0.rounded(.towardZero)) ?? 0 }
        case let .doubles(v): return v.map { Int64(exactly: $0.rounded(.towardZero)) ?? 0 }
        case .none: return []
        case let .raw(source, range):
            let b = UnsafeRawBufferPointer(rebasing: source.buffer[range])
            let n = count
            switch dataType {
            case .int64: return (0..<n).map { b.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self) }
            case .uint64: return (0..<n).map { Int64(bitPattern: b.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)) }
            case .int32: return (0..<n).map { Int64(b.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
            case .uint32: return (0..<n).map { Int64(b.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
            case .int16: return (0..<n).map { Int64(b.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) }
            case .uint16: return (0..<n).map { Int64(b.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
            case .int8: return (0..<n).map { Int64(Int8(bitPattern: b[$0])) }
            case .uint8, .bool: return (0..<n).map { Int64(b[$0]) }
            default: return floatValues().map { Int64(exactly: $0.rounded(.towardZero)) ?? 0 }
            }
        }
    }

    static func half(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 != 0 ? -1 : 1
        let exp = Int((h >> 10) & 0x1F), mant = Float(h & 0x3FF)
        if exp == 0 { return sign * mant * 0x1p-24 }
        if exp == 31 { return mant == 0 ? sign * .infinity : .nan }
        return sign * (1 + mant / 1024) * Float(sign: .plus, exponent: exp - 15, significand: 1)
    }
}
