/// A bounds-checked reader of the protocol-buffers wire format over a window of a `ByteSource`.
///
/// Only the wire format is decoded here (varints, fixed 32/64-bit, length-delimited fields); message
/// readers (`ONNXModel`) interpret field numbers. Every length is checked against the window, nesting is
/// bounded by the callers, and errors name the message and field.
public struct ProtobufReader {
    public enum WireType: UInt8 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    /// One field: its number, wire type, and the scalar value or the byte range of its payload.
    public struct Field {
        public let number: Int
        public let wireType: WireType
        /// Varint and fixed values.
        public let scalar: UInt64
        /// Payload range (length-delimited fields) in the source.
        public let range: Range<Int>
    }

    public let source: ByteSource
    public let range: Range<Int>
    private var offset: Int
    /// The message being read (for error messages).
    public let message: String

    static let format = "onnx"

    public init(source: ByteSource, range: Range<Int>? = nil, message: String) {
        self.source = source
        self.range = range ?? 0..<source.count
        offset = self.range.lowerBound
        self.message = message
    }

    public var isAtEnd: Bool { offset >= range.upperBound }

    private func fail(_ what: String) -> ModelFormatError {
        .truncated(format: Self.format, field: "\(message): \(what)", offset: UInt64(offset), needed: 1,
                   available: UInt64(max(0, range.upperBound - offset)))
    }

    /// Reads a base-128 varint (at most 10 bytes).
    public mutating func readVarint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        let buffer = source.buffer
        while true {
            guard offset < range.upperBound else { throw fail("varint") }
            let b = buffer[offset]
            offset += 1
            guard shift < 64 else {
                throw ModelFormatError.invalidField(format: Self.format, field: message, reason: "varint longer than 10 bytes")
            }
            value |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// The next field, or nil at the end of the message.
    public mutating func next() throws -> Field? {
        guard !isAtEnd else { return nil }
        let key = try readVarint()
        let number = Int(truncatingIfNeeded: key >> 3)
        guard number > 0, number < 1 << 29 else {
            throw ModelFormatError.invalidField(format: Self.format, field: message, reason: "field number \(key >> 3) is invalid")
        }
        guard let wire = WireType(rawValue: UInt8(key & 7)) else {
            throw ModelFormatError.invalidField(format: Self.format, field: "\(message) field \(number)",
                                                reason: "wire type \(key & 7) is not supported (groups or corrupt data)")
        }
        switch wire {
        case .varint:
            return Field(number: number, wireType: wire, scalar: try readVarint(), range: offset..<offset)
        case .fixed64, .fixed32:
            let width = wire == .fixed64 ? 8 : 4
            guard range.upperBound - offset >= width else { throw fail("field \(number)") }
            var v: UInt64 = 0
            for i in 0..<width { v |= UInt64(source.buffer[offset + i]) << (8 * UInt64(i)) }
            offset += width
            return Field(number: number, wireType: wire, scalar: v, range: offset..<offset)
        case .lengthDelimited:
            let length = try readVarint()
            guard length <= UInt64(range.upperBound - offset) else {
                throw ModelFormatError.truncated(format: Self.format, field: "\(message) field \(number)", offset: UInt64(offset),
                                                 needed: length, available: UInt64(range.upperBound - offset))
            }
            let r = offset..<(offset + Int(length))
            offset += Int(length)
            return Field(number: number, wireType: wire, scalar: length, range: r)
        }
    }

    /// A reader over a length-delimited field's payload (a nested message).
    public func nested(_ field: Field, message: String) throws -> ProtobufReader {
        guard field.wireType == .lengthDelimited else {
            throw ModelFormatError.invalidField(format: Self.format, field: message, reason: "expected a nested message")
        }
        return ProtobufReader(source: source, range: field.range, message: message)
    }

    /// The UTF-8 text of a length-delimited field.
    public func string(_ field: Field) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: source.buffer[field.range]), as: UTF8.self)
    }

    /// Integers of a repeated field: one varint, or a packed run of varints.
    public func varints(_ field: Field) throws -> [UInt64] {
        switch field.wireType {
        case .varint: return [field.scalar]
        case .lengthDelimited:
            var r = ProtobufReader(source: source, range: field.range, message: message)
            var out: [UInt64] = []
            while !r.isAtEnd { out.append(try r.readVarint()) }
            return out
        default:
            throw ModelFormatError.invalidField(format: Self.format, field: message, reason: "expected integers")
        }
    }

    /// Floats of a repeated field: one fixed32, or a packed run.
    public func floats(_ field: Field) throws -> [Float] {
        switch field.wireType {
        case .fixed32: return [Float(bitPattern: UInt32(truncatingIfNeeded: field.scalar))]
        case .lengthDelimited:
            guard field.range.count % 4 == 0 else {
                throw ModelFormatError.invalidField(format: Self.format, field: message, reason: "packed floats of \(field.range.count) bytes")
            }
            let b = source.buffer
            return stride(from: field.range.lowerBound, to: field.range.upperBound, by: 4).map {
                Float(bitPattern: UInt32(b[$0]) | UInt32(b[$0 + 1]) << 8 | UInt32(b[$0 + 2]) << 16 | UInt32(b[$0 + 3]) << 24)
            }
        default:
            throw ModelFormatError.invalidField(format: Self.format, field: message, reason: "expected floats")
        }
    }
}
