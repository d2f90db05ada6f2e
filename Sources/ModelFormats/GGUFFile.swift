import Tensor

/// A GGUF file (versions 2 and 3), memory-mapped read-only.
///
/// The header, metadata and tensor infos are parsed and checked up front: every count and length is
/// bounded by the bytes actually present, tensor types must be known, and every tensor's data must lie
/// inside the file, aligned. Tensor data is never copied: `tensorData(_:)` points into the map.
public final class GGUFFile: @unchecked Sendable {
    /// Where the file was read from (for messages).
    public let path: String
    /// 2 or 3.
    public let version: UInt32
    /// Metadata in file order.
    public let metadata: [(key: String, value: GGUFValue)]
    /// Tensors in file order.
    public let tensors: [GGUFTensorInfo]
    /// `general.alignment` (default 32).
    public let alignment: Int
    /// Offset of the tensor data section.
    public let dataOffset: Int
    /// The mapped bytes of the whole file.
    public let source: ByteSource

    private let metadataIndex: [String: Int]
    private let tensorIndex: [String: Int]

    private static let format = "gguf"
    private static let magic: UInt32 = 0x4655_4747  // "GGUF" little-endian

    /// Maps and parses the file at `path`.
    public convenience init(path: String) throws {
        try self.init(source: ByteSource(mapping: path), path: path)
    }

    /// Parses GGUF bytes already in memory.
    public init(source: ByteSource, path: String = "<memory>") throws {
        self.source = source
        self.path = path
        var r = BinaryReader(source, format: Self.format)
        let magic = try r.readU32("magic")
        guard magic == Self.magic else {
            throw ModelFormatError.invalidField(format: Self.format, field: "magic",
                                                reason: "expected \"GGUF\", found 0x\(String(magic, radix: 16)) (not a GGUF file)")
        }
        version = try r.readU32("version")
        guard version == 2 || version == 3 else {
            throw ModelFormatError.unsupported(format: Self.format, feature: "version \(version) (Loupe reads versions 2 and 3)")
        }
        let tensorCount = try r.readU64("tensor_count")
        let kvCount = try r.readU64("metadata_kv_count")
        // Every KV needs ≥ 8 (key length) + 4 (type) + 1 bytes; every tensor info ≥ 8 + 4 + 8 + 4 + 8.
        guard kvCount <= UInt64(r.remaining / 13) else {
            throw ModelFormatError.invalidField(format: Self.format, field: "metadata_kv_count",
                                                reason: "\(kvCount) entries cannot fit in \(r.remaining) bytes (corrupt header)")
        }
        guard tensorCount <= UInt64(r.remaining / 32) else {
            throw ModelFormatError.invalidField(format: Self.format, field: "tensor_count",
                                                reason: "\(tensorCount) tensors cannot fit in \(r.remaining) bytes (corrupt header)")
        }
        var metadata: [(key: String, value: GGUFValue)] = []
        var metadataIndex: [String: Int] = [:]
        metadata.reserveCapacity(Int(kvCount))
        for i in 0..<Int(kvCount) {
            let key = try Self.readString(&r, field: "key of metadata entry \(i)")
            let type = try r.readU32("type of \(key)")
            let value = try Self.readValue(&r, type: type, field: key, depth: 0)
            guard metadataIndex[key] == nil else {
                throw ModelFormatError.invalidField(format: Self.format, field: key, reason: "metadata key appears twice")
            }
            metadataIndex[key] = metadata.count
            metadata.append((key, value))
        }
        var alignment = 32
        if let i = metadataIndex["general.alignment"] {
            guard let a = metadata[i].value.intValue, a > 0, a <= 1 << 20, a & (a - 1) == 0 else {
                throw ModelFormatError.invalidField(format: Self.format, field: "general.alignment",
                                                    reason: "\(metadata[i].value) is not a power of two up to 1 MiB")
            }
            alignment = a
        }
        struct Raw { let name: String; let shape: [Int]; let type: UInt32; let offset: UInt64 }
        var raws: [Raw] = []
        raws.reserveCapacity(Int(tensorCount))
        for i in 0..<Int(tensorCount) {
            let name = try Self.readString(&r, field: "name of tensor \(i)")
            let dims = try r.readU32("n_dims of \(name)")
            guard (1...4).contains(dims) else {
                throw ModelFormatError.invalidField(format: Self.format, field: "n_dims of \(name)", reason: "\(dims) is not in 1...4")
            }
            var shape: [Int] = []
            for d in 0..<Int(dims) {
                let n = try r.readU64("dimension \(d) of \(name)")
                guard n > 0, n <= UInt64(Int32.max) * 64 else {
                    throw ModelFormatError.invalidField(format: Self.format, field: "dimension \(d) of \(name)", reason: "\(n) is out of range")
                }
                shape.append(Int(n))
            }
            let type = try r.readU32("type of \(name)")
            let offset = try r.readU64("offset of \(name)")
            raws.append(Raw(name: name, shape: shape, type: type, offset: offset))
        }
        let dataOffset = (r.offset + alignment - 1) / alignment * alignment
        guard dataOffset <= source.count else {
            throw ModelFormatError.truncated(format: Self.format, field: "tensor data", offset: UInt64(r.offset),
                                             needed: UInt64(dataOffset - r.offset), available: UInt64(r.remaining))
        }
        var tensors: [GGUFTensorInfo] = []
        var tensorIndex: [String: Int] = [:]
        let dataSize = source.count - dataOffset
        for raw in raws {
            guard let type = GGMLType(rawValue: raw.type) else {
                throw ModelFormatError.unsupported(format: Self.format,
                                                   feature: "tensor type \(GGMLType.name(of: raw.type)) of \(raw.name)")
            }
            var elements = 1
            for n in raw.shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: n)
                guard !overflow else {
                    throw ModelFormatError.invalidField(format: Self.format, field: "shape of \(raw.name)", reason: "\(raw.shape) overflows")
                }
                elements = product
            }
            guard raw.shape[0] % type.blockElements == 0, let bytes = type.byteCount(elements: elements) else {
                throw ModelFormatError.invalidField(format: Self.format, field: "shape of \(raw.name)",
                                                    reason: "row length \(raw.shape[0]) is not a whole number of \(type) blocks of \(type.blockElements)")
            }
            guard raw.offset % UInt64(alignment) == 0 else {
                throw ModelFormatError.invalidField(format: Self.format, field: "offset of \(raw.name)",
                                                    reason: "\(raw.offset) is not a multiple of the alignment \(alignment)")
            }
            guard raw.offset <= UInt64(dataSize), UInt64(bytes) <= UInt64(dataSize) - raw.offset else {
                throw ModelFormatError.truncated(format: Self.format, field: "data of \(raw.name)",
                                                 offset: UInt64(dataOffset) + raw.offset, needed: UInt64(bytes),
                                                 available: raw.offset <= UInt64(dataSize) ? UInt64(dataSize) - raw.offset : 0)
            }
            guard tensorIndex[raw.name] == nil else {
                throw ModelFormatError.invalidField(format: Self.format, field: "tensor \(raw.name)", reason: "name appears twice")
            }
            tensorIndex[raw.name] = tensors.count
            tensors.append(GGUFTensorInfo(name: raw.name, shape: raw.shape, typeID: raw.type,
                                          fileOffset: dataOffset + Int(raw.offset), byteCount: bytes))
        }
        self.metadata = metadata
        self.metadataIndex = metadataIndex
        self.alignment = alignment
        self.dataOffset = dataOffset
        self.tensors = tensors
        self.tensorIndex = tensorIndex
    }

    /// The metadata value for `key`, if present.
    public subscript(key: String) -> GGUFValue? {
        metadataIndex[key].map { metadata[$0].value }
    }

    /// The tensor named `name`, if present.
    public func tensor(_ name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's bytes inside the map (valid while `self` lives).
    public func tensorData(_ info: GGUFTensorInfo) -> UnsafeRawPointer {
        source.buffer.baseAddress! + info.fileOffset
    }

    // MARK: - Reading values

    private static func readString(_ r: inout BinaryReader, field: String) throws -> String {
        let length = try r.readU64("length of \(field)")
        guard length <= UInt64(r.remaining) else {
            throw ModelFormatError.truncated(format: format, field: field, offset: UInt64(r.offset), needed: length,
                                             available: UInt64(r.remaining))
        }
        return try r.readString(Int(length), field)
    }

    /// Smallest encoded size of one value of `type` (for bounding array counts before allocating).
    private static func minimumSize(of type: UInt32) -> Int? {
        switch type {
        case 0, 1, 7: return 1
        case 2, 3: return 2
        case 4, 5, 6: return 4
        case 8: return 8
        case 9: return 12
        case 10, 11, 12: return 8
        default: return nil
        }
    }

    private static func readValue(_ r: inout BinaryReader, type: UInt32, field: String, depth: Int) throws -> GGUFValue {
        switch type {
        case 0: return .uint(UInt64(try r.readU8(field)))
        case 1: return .int(Int64(Int8(bitPattern: try r.readU8(field))))
        case 2: return .uint(UInt64(try r.readU16(field)))
        case 3: return .int(Int64(Int16(bitPattern: try r.readU16(field))))
        case 4: return .uint(UInt64(try r.readU32(field)))
        case 5: return .int(Int64(Int32(bitPattern: try r.readU32(field))))
        case 6: return .float(Double(Float(bitPattern: try r.readU32(field))))
        case 7:
            let b = try r.readU8(field)
            guard b <= 1 else { throw ModelFormatError.invalidField(format: format, field: field, reason: "bool byte \(b) is not 0 or 1") }
            return .bool(b == 1)
        case 8: return .string(try readString(&r, field: field))
        case 9:
            guard depth < 4 else { throw ModelFormatError.invalidField(format: format, field: field, reason: "arrays nested too deep") }
            let elementType = try r.readU32("element type of \(field)")
            let count = try r.readU64("length of \(field)")
            guard let size = minimumSize(of: elementType) else {
                throw ModelFormatError.invalidField(format: format, field: "element type of \(field)", reason: "unknown value type \(elementType)")
            }
            guard count <= UInt64(r.remaining / size) else {
                throw ModelFormatError.truncated(format: format, field: field, offset: UInt64(r.offset),
                                                 needed: count.multipliedReportingOverflow(by: UInt64(size)).partialValue,
                                                 available: UInt64(r.remaining))
            }
            var items: [GGUFValue] = []
            items.reserveCapacity(Int(count))
            let itemField = "item of \(field)"
            for _ in 0..<Int(count) {
                items.append(try readValue(&r, type: elementType, field: itemField, depth: depth + 1))
            }
            return .array(elementType: elementType, items)
        case 10: return .uint(try r.readU64(field))
        case 11: return .int(Int64(bitPattern: try r.readU64(field)))
        case 12: return .float(Double(bitPattern: try r.readU64(field)))
        default:
            throw ModelFormatError.invalidField(format: format, field: "type of \(field)", reason: "unknown value type \(type)")
        }
    }
}
