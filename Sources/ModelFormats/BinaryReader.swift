/// A bounds-checked little-endian cursor over a byte buffer.
///
/// Every read checks the remaining length first and throws `ModelFormatError.truncated` naming the
/// field, so a corrupt length can never read out of bounds.
public struct BinaryReader {
    /// The bytes being read (kept alive by the reader).
    public let source: ByteSource
    /// The current position, in bytes from the start of `source`.
    public private(set) var offset: Int
    /// Format name used in error messages ("zip", "gguf", …).
    public let format: String
    /// Added to `offset` in error messages, when `source` is a window into a larger file.
    public let baseOffset: UInt64

    public init(_ bytes: [UInt8], format: String, baseOffset: UInt64 = 0) {
        self.init(ByteSource(copying: bytes), format: format, baseOffset: baseOffset)
    }

    public init(_ source: ByteSource, format: String, baseOffset: UInt64 = 0) {
        self.source = source
        self.offset = 0
        self.format = format
        self.baseOffset = baseOffset
    }

    /// Total number of bytes.
    public var count: Int { source.count }

    /// Bytes left after the cursor.
    public var remaining: Int { source.count - offset }

    /// Moves the cursor to an absolute position within the source.
    public mutating func seek(to position: Int, field: String) throws {
        guard position >= 0, position <= source.count else {
            throw ModelFormatError.truncated(format: format, field: field, offset: baseOffset + UInt64(max(position, 0)),
                                             needed: 0, available: 0)
        }
        offset = position
    }

    /// Checks that `count` bytes remain, naming `field` if not.
    public func require(_ count: Int, field: String) throws {
        guard count >= 0, count <= remaining else {
            throw ModelFormatError.truncated(format: format, field: field, offset: baseOffset + UInt64(offset),
                                             needed: UInt64(max(count, 0)), available: UInt64(remaining))
        }
    }

    public mutating func readU8(_ field: String) throws -> UInt8 {
        try require(1, field: field)
        defer { offset += 1 }
        return source.buffer[offset]
    }

    public mutating func readU16(_ field: String) throws -> UInt16 {
        UInt16(truncatingIfNeeded: try readLE(2, field))
    }

    public mutating func readU32(_ field: String) throws -> UInt32 {
        UInt32(truncatingIfNeeded: try readLE(4, field))
    }

    public mutating func readU64(_ field: String) throws -> UInt64 {
        try readLE(8, field)
    }

    /// Reads `count` raw bytes (a copy).
    public mutating func readBytes(_ count: Int, _ field: String) throws -> [UInt8] {
        try require(count, field: field)
        defer { offset += count }
        return Array(source.buffer[offset..<(offset + count)])
    }

    /// Reads `count` bytes as UTF-8 text, replacing invalid sequences.
    public mutating func readString(_ count: Int, _ field: String) throws -> String {
        try require(count, field: field)
        defer { offset += count }
        return String(decoding: UnsafeRawBufferPointer(rebasing: source.buffer[offset..<(offset + count)]), as: UTF8.self)
    }

    /// Skips `count` bytes.
    public mutating func skip(_ count: Int, _ field: String) throws {
        try require(count, field: field)
        offset += count
    }

    private mutating func readLE(_ width: Int, _ field: String) throws -> UInt64 {
        try require(width, field: field)
        var value: UInt64 = 0
        let buffer = source.buffer
        for i in 0..<width { value |= UInt64(buffer[offset + i]) << (8 * UInt64(i)) }
        offset += width
        return value
    }
}
