/// Bounds-checked access to a FlatBuffers buffer (the TFLite model format): tables through their
/// vtables, scalars with defaults, references, vectors and strings. Every offset is checked before it is
/// followed, so a corrupt file yields `ModelFormatError`, never an out-of-bounds read.
public struct FlatTable {
    public let source: ByteSource
    /// Position of the table.
    public let position: Int
    let vtable: Int
    let vtableSize: Int
    /// What this table is (for error messages).
    public let what: String
    static let format = "tflite"

    /// The root table of a buffer.
    public static func root(_ source: ByteSource, what: String) throws -> FlatTable {
        let r = try readU32(source, 0, what: "root offset")
        return try FlatTable(source, at: Int(r), what: what)
    }

    init(_ source: ByteSource, at position: Int, what: String) throws {
        self.source = source
        self.position = position
        self.what = what
        let soffset = Int(Int32(bitPattern: try Self.readU32(source, position, what: "\(what) vtable offset")))
        let vt = position - soffset
        vtableSize = Int(try Self.readU16(source, vt, what: "\(what) vtable"))
        vtable = vt
        guard vtableSize >= 4, vtableSize % 2 == 0, vt + vtableSize <= source.count else {
            throw ModelFormatError.invalidField(format: Self.format, field: "\(what) vtable", reason: "size \(vtableSize) is invalid")
        }
    }

    static func readU32(_ s: ByteSource, _ at: Int, what: String) throws -> UInt32 {
        guard at >= 0, at + 4 <= s.count else {
            throw ModelFormatError.truncated(format: format, field: what, offset: UInt64(max(at, 0)), needed: 4,
                                             available: UInt64(max(0, s.count - max(at, 0))))
        }
        return s.buffer.loadUnaligned(fromByteOffset: at, as: UInt32.self)
    }

    static func readU16(_ s: ByteSource, _ at: Int, what: String) throws -> UInt16 {
        guard at >= 0, at + 2 <= s.count else {
            throw ModelFormatError.truncated(format: format, field: what, offset: UInt64(max(at, 0)), needed: 2,
                                             available: UInt64(max(0, s.count - max(at, 0))))
        }
        return s.buffer.loadUnaligned(fromByteOffset: at, as: UInt16.self)
    }

    /// Absolute position of field `index`, or nil if absent.
    func fieldPosition(_ index: Int, width: Int) throws -> Int? {
        let entry = 4 + 2 * index
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try Self.readU16(source, vtable + entry, what: "\(what) field \(index)"))
        guard offset != 0 else { return nil }
        let p = position + offset
        guard p + width <= source.count else {
            throw ModelFormatError.truncated(format: Self.format, field: "\(what) field \(index)", offset: UInt64(p),
                                             needed: UInt64(width), available: UInt64(max(0, source.count - p)))
        }
        return p
    }

    /// An integer field of `width` bytes (1, 2, 4 or 8), sign-extended if `signed`.
    public func int(_ index: Int, width: Int = 4, signed: Bool = true, default value: Int64 = 0) throws -> Int64 {
        guard let p = try fieldPosition(index, width: width) else { return value }
        let b = source.buffer
        switch (width, signed) {
        case (1, true): return Int64(Int8(bitPattern: b[p]))
        case (1, false): return Int64(b[p])
        case (2, true): return Int64(b.loadUnaligned(fromByteOffset: p, as: Int16.self))
        case (2, false): return Int64(b.loadUnaligned(fromByteOffset: p, as: UInt16.self))
        case (4, true): return Int64(b.loadUnaligned(fromByteOffset: p, as: Int32.self))
        case (4, false): return Int64(b.loadUnaligned(fromByteOffset: p, as: UInt32.self))
        default: return b.loadUnaligned(fromByteOffset: p, as: Int64.self)
        }
    }

    public func float(_ index: Int, default value: Float = 0) throws -> Float {
        guard let p = try fieldPosition(index, width: 4) else { return value }
        return source.buffer.loadUnaligned(fromByteOffset: p, as: Float.self)
    }

    public func bool(_ index: Int, default value: Bool = false) throws -> Bool {
        try int(index, width: 1, signed: false, default: value ? 1 : 0) != 0
    }

    /// Target of a reference field.
    func reference(_ index: Int) throws -> Int? {
        guard let p = try fieldPosition(index, width: 4) else { return nil }
        let target = p + Int(try Self.readU32(source, p, what: "\(what) field \(index)"))
        guard target < source.count else {
            throw ModelFormatError.invalidField(format: Self.format, field: "\(what) field \(index)", reason: "points past the end")
        }
        return target
    }

    public func table(_ index: Int, what name: String) throws -> FlatTable? {
        try reference(index).map { try FlatTable(source, at: $0, what: name) }
    }

    /// A vector field: (position of the first element, count), checked for `elementSize`-byte elements.
    public func vector(_ index: Int, elementSize: Int) throws -> (start: Int, count: Int)? {
        guard let v = try reference(index) else { return nil }
        let count = Int(try Self.readU32(source, v, what: "\(what) field \(index) length"))
        guard count <= (source.count - v - 4) / max(elementSize, 1) else {
            throw ModelFormatError.truncated(format: Self.format, field: "\(what) field \(index)", offset: UInt64(v),
                                             needed: UInt64(count) * UInt64(elementSize), available: UInt64(source.count - v - 4))
        }
        return (v + 4, count)
    }

    public func string(_ index: Int) throws -> String? {
        guard let (start, count) = try vector(index, elementSize: 1) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: source.buffer[start..<(start + count)]), as: UTF8.self)
    }

    public func tables(_ index: Int, what name: String) throws -> [FlatTable] {
        guard let (start, count) = try vector(index, elementSize: 4) else { return [] }
        return try (0..<count).map { i in
            let p = start + 4 * i
            return try FlatTable(source, at: p + Int(try Self.readU32(source, p, what: "\(name) #\(i)")), what: "\(name) #\(i)")
        }
    }

    public func int32s(_ index: Int) throws -> [Int32] {
        guard let (start, count) = try vector(index, elementSize: 4) else { return [] }
        return (0..<count).map { source.buffer.loadUnaligned(fromByteOffset: start + 4 * $0, as: Int32.self) }
    }

    public func int64s(_ index: Int) throws -> [Int64] {
        guard let (start, count) = try vector(index, elementSize: 8) else { return [] }
        return (0..<count).map { source.buffer.loadUnaligned(fromByteOffset: start + 8 * $0, as: Int64.self) }
    }

    public func floats(_ index: Int) throws -> [Float] {
        guard let (start, count) = try vector(index, elementSize: 4) else { return [] }
        return (0..<count).map { source.buffer.loadUnaligned(fromByteOffset: start + 4 * $0, as: Float.self) }
    }

    /// Byte range of a `[ubyte]` vector field.
    public func bytes(_ index: Int) throws -> Range<Int>? {
        guard let (start, count) = try vector(index, elementSize: 1) else { return nil }
        return start..<(start + count)
    }
}
