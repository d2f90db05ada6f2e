import Foundation

/// A safetensors file: an 8-byte header length, a JSON header naming each tensor's dtype, shape and byte
/// range, then the data. Memory-mapped; every range is checked against the data section and the dtype ×
/// shape size, and ranges may not overlap.
public final class SafetensorsFile: @unchecked Sendable {
    public enum DType: String, Sendable {
        case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16", i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
        case u8 = "U8", bool = "BOOL"

        public var size: Int {
            switch self {
            case .f64, .i64: return 8
            case .f32, .i32: return 4
            case .f16, .bf16, .i16: return 2
            case .i8, .u8, .bool: return 1
            }
        }
    }

    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        /// Absolute byte range in the file.
        public let range: Range<Int>
        public var count: Int { shape.reduce(1, *) }
    }

    public let source: ByteSource
    /// Tensors sorted by name.
    public let tensors: [TensorInfo]
    /// `__metadata__` string pairs.
    public let metadata: [String: String]
    private let index: [String: Int]

    public convenience init(path: String) throws {
        try self.init(source: ByteSource(mapping: path))
    }

    public init(source: ByteSource) throws {
        self.source = source
        var r = BinaryReader(source, format: "safetensors")
        let headerLength = try r.readU64("header length")
        guard headerLength <= UInt64(min(r.remaining, 100 << 20)) else {
            throw ModelFormatError.truncated(format: "safetensors", field: "JSON header", offset: 8, needed: headerLength,
                                             available: UInt64(r.remaining))
        }
        let headerBytes = try r.readBytes(Int(headerLength), "JSON header")
        let dataStart = 8 + Int(headerLength)
        let dataSize = source.count - dataStart
        guard let json = try? JSONSerialization.jsonObject(with: Data(headerBytes)), let header = json as? [String: Any] else {
            throw ModelFormatError.invalidField(format: "safetensors", field: "JSON header", reason: "not a JSON object")
        }
        var tensors: [TensorInfo] = []
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                for (k, v) in value as? [String: Any] ?? [:] { metadata[k] = v as? String ?? "\(v)" }
                continue
            }
            guard let entry = value as? [String: Any] else {
                throw ModelFormatError.invalidField(format: "safetensors", field: name, reason: "entry is not an object")
            }
            guard let dtypeName = entry["dtype"] as? String, let dtype = DType(rawValue: dtypeName) else {
                throw ModelFormatError.unsupported(format: "safetensors", feature: "dtype \(entry["dtype"] ?? "missing") of \(name)")
            }
            guard let shapeValues = entry["shape"] as? [Any], let offsets = entry["data_offsets"] as? [Any], offsets.count == 2 else {
                throw ModelFormatError.invalidField(format: "safetensors", field: name, reason: "needs shape and two data_offsets")
            }
            var shape: [Int] = []
            var elements = 1
            for s in shapeValues {
                guard let n = (s as? NSNumber)?.intValue, n >= 0, n <= Int(Int32.max) else {
                    throw ModelFormatError.invalidField(format: "safetensors", field: "shape of \(name)", reason: "\(shapeValues) is not a list of sizes")
                }
                let (p, overflow) = elements.multipliedReportingOverflow(by: n)
                guard !overflow else { throw ModelFormatError.invalidField(format: "safetensors", field: "shape of \(name)", reason: "overflows") }
                elements = p
                shape.append(n)
            }
            guard let begin = (offsets[0] as? NSNumber)?.intValue, let end = (offsets[1] as? NSNumber)?.intValue,
                  begin >= 0, begin <= end, end <= dataSize else {
                throw ModelFormatError.invalidField(format: "safetensors", field: "data_offsets of \(name)",
                                                    reason: "\(offsets) lies outside the \(dataSize)-byte data section")
            }
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, end - begin == bytes else {
                throw ModelFormatError.invalidField(format: "safetensors", field: "data_offsets of \(name)",
                                                    reason: "\(end - begin) bytes for shape \(shape) of \(dtype.rawValue)")
            }
            tensors.append(TensorInfo(name: name, dtype: dtype, shape: shape, range: (dataStart + begin)..<(dataStart + end)))
        }
        tensors.sort { $0.range.lowerBound < $1.range.lowerBound }
        for (a, b) in zip(tensors, tensors.dropFirst()) where a.range.upperBound > b.range.lowerBound {
            throw ModelFormatError.invalidField(format: "safetensors", field: "data_offsets of \(b.name)", reason: "overlaps \(a.name)")
        }
        tensors.sort { $0.name < $1.name }
        self.tensors = tensors
        self.metadata = metadata
        index = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    public func tensor(_ name: String) -> TensorInfo? { index[name].map { tensors[$0] } }

    /// The tensor's elements as Float.
    public func floats(_ t: TensorInfo) -> [Float] {
        let b = UnsafeRawBufferPointer(rebasing: source.buffer[t.range])
        let n = t.count
        switch t.dtype {
        case .f32: return (0..<n).map { b.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
        case .f64: return (0..<n).map { Float(b.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self)) }
        case .f16: return (0..<n).map { ONNXTensor.half(b.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        case .bf16: return (0..<n).map { Float(bitPattern: UInt32(b.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16) }
        case .i64: return (0..<n).map { Float(b.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case .i32: return (0..<n).map { Float(b.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        case .i16: return (0..<n).map { Float(b.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) }
        case .i8: return (0..<n).map { Float(Int8(bitPattern: b[$0])) }
        case .u8, .bool: return (0..<n).map { Float(b[$0]) }
        }
    }
}
