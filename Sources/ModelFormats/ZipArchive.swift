import CZlib
import Foundation

/// A read-only zip archive (a Python wheel is one), read through the central directory.
///
/// Supports stored and deflated members and Zip64 sizes and offsets; every offset and length is
/// checked against the file size. Members are streamed out in chunks, so a gigabyte member never
/// sits in memory, and their CRC-32 and size are verified at the end.
public final class ZipArchive {
    /// One member of the archive, as the central directory describes it.
    public struct Entry: Sendable, Equatable {
        public let name: String
        /// 0 = stored, 8 = deflate.
        public let method: UInt16
        public let crc32: UInt32
        public let compressedSize: UInt64
        public let uncompressedSize: UInt64
        public let localHeaderOffset: UInt64
        public let flags: UInt16
    }

    /// The archive's path.
    public let path: String
    /// Size of the archive file in bytes.
    public let fileSize: UInt64
    /// Members in central-directory order.
    public let entries: [Entry]

    private let fd: Int32
    private static let format = "zip"

    /// Opens an archive and reads its central directory.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ModelFormatError.io(path: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw ModelFormatError.io(path: path, reason: String(cString: strerror(errno)))
        }
        self.fd = fd
        self.fileSize = UInt64(st.st_size)
        do {
            self.entries = try ZipArchive.readCentralDirectory(fd: fd, fileSize: fileSize, path: path)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// The member with exactly this name, if any.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// Streams a member's uncompressed bytes to `sink` in chunks, then checks its size and CRC-32.
    /// `progress` receives the number of uncompressed bytes produced so far.
    public func extract(
        _ entry: Entry,
        progress: ((UInt64) -> Void)? = nil,
        to sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard entry.flags & 1 == 0 else {
            throw ModelFormatError.unsupported(format: Self.format, feature: "encrypted member \(entry.name)")
        }
        let dataStart = try localDataOffset(entry)
        let (end, overflow) = dataStart.addingReportingOverflow(entry.compressedSize)
        guard !overflow, end <= fileSize else {
            throw ModelFormatError.truncated(format: Self.format, field: "data of \(entry.name)", offset: dataStart,
                                             needed: entry.compressedSize, available: fileSize &- min(dataStart, fileSize))
        }
        var crc = crc32(0, nil, 0)
        var produced: UInt64 = 0
        let emit: (UnsafeRawBufferPointer) throws -> Void = { chunk in
            guard !chunk.isEmpty else { return }
            produced += UInt64(chunk.count)
            guard produced <= entry.uncompressedSize else {
                throw ModelFormatError.invalidField(format: Self.format, field: "uncompressed size of \(entry.name)",
                                                    reason: "data inflates past the declared \(entry.uncompressedSize) bytes")
            }
            crc = crc32(crc, chunk.bindMemory(to: Bytef.self).baseAddress, uInt(chunk.count))
            try sink(chunk)
            progress?(produced)
        }
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw ModelFormatError.invalidField(format: Self.format, field: "sizes of stored \(entry.name)",
                                                    reason: "compressed and uncompressed sizes differ")
            }
            try readRange(from: dataStart, count: entry.compressedSize, chunk: emit)
        case 8:
            try inflate(entry, from: dataStart, emit: emit)
        default:
            throw ModelFormatError.unsupported(format: Self.format, feature: "compression method \(entry.method) of \(entry.name)")
        }
        guard produced == entry.uncompressedSize else {
            throw ModelFormatError.truncated(format: Self.format, field: "data of \(entry.name)", offset: dataStart,
                                             needed: entry.uncompressedSize, available: produced)
        }
        guard UInt32(crc) == entry.crc32 else {
            throw ModelFormatError.checksumMismatch(format: Self.format, name: entry.name,
                                                    expected: String(entry.crc32, radix: 16), actual: String(UInt32(crc), radix: 16))
        }
    }

    /// A member's whole content in memory (for small members; refuses more than `limit` bytes).
    public func read(_ entry: Entry, limit: UInt64 = 64 << 20) throws -> [UInt8] {
        guard entry.uncompressedSize <= limit else {
            throw ModelFormatError.invalidField(format: Self.format, field: "size of \(entry.name)",
                                                reason: "\(entry.uncompressedSize) bytes exceeds the in-memory limit of \(limit)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(Int(entry.uncompressedSize))
        try extract(entry) { out.append(contentsOf: $0) }
        return out
    }

    // MARK: - Reading

    private func inflate(_ entry: Entry, from start: UInt64, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ModelFormatError.io(path: path, reason: "zlib inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        let outCapacity = 1 << 20
        let output = UnsafeMutablePointer<Bytef>.allocate(capacity: outCapacity)
        defer { output.deallocate() }
        var finished = false
        try readRange(from: start, count: entry.compressedSize) { input in
            guard !finished else { return }
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                stream.next_out = output
                stream.avail_out = uInt(outCapacity)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw ModelFormatError.invalidField(format: Self.format, field: "deflate data of \(entry.name)", reason: message)
                }
                let produced = outCapacity - Int(stream.avail_out)
                try emit(UnsafeRawBufferPointer(start: output, count: produced))
                if status == Z_STREAM_END { finished = true; break }
                if status == Z_BUF_ERROR && produced == 0 { break }
            } while stream.avail_in > 0 || stream.avail_out == 0
        }
        guard finished else {
            throw ModelFormatError.truncated(format: Self.format, field: "deflate data of \(entry.name)", offset: start,
                                             needed: entry.compressedSize, available: entry.compressedSize)
        }
    }

    /// Reads `count` bytes from `offset` in 4 MiB chunks.
    private func readRange(from offset: UInt64, count: UInt64, chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
        let capacity = 4 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var done: UInt64 = 0
        while done < count {
            let want = Int(min(UInt64(capacity), count - done))
            try Self.readFully(fd: fd, path: path, into: buffer, count: want, offset: offset + done)
            try chunk(UnsafeRawBufferPointer(start: buffer, count: want))
            done += UInt64(want)
        }
    }

    /// `pread` until exactly `count` bytes are in `buffer`, retrying on EINTR.
    private static func readFully(fd: Int32, path: String, into buffer: UnsafeMutableRawPointer, count: Int,
                                  offset: UInt64) throws {
        var done = 0
        while done < count {
            let got = pread(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            guard got > 0 else {
                if got < 0 && errno == EINTR { continue }
                throw ModelFormatError.io(path: path, reason: got < 0 ? String(cString: strerror(errno)) : "unexpected end of file")
            }
            done += got
        }
    }

    private func localDataOffset(_ entry: Entry) throws -> UInt64 {
        let header = try Self.readBytes(fd: fd, fileSize: fileSize, path: path, offset: entry.localHeaderOffset,
                                        count: 30, field: "local header of \(entry.name)")
        var reader = BinaryReader(header, format: Self.format, baseOffset: entry.localHeaderOffset)
        guard try reader.readU32("local header signature") == 0x0403_4b50 else {
            throw ModelFormatError.invalidField(format: Self.format, field: "local header signature of \(entry.name)",
                                                reason: "not 'PK\\3\\4' (offset in central directory is corrupt)")
        }
        try reader.skip(22, "local header fields")
        let nameLength = UInt64(try reader.readU16("local name length"))
        let extraLength = UInt64(try reader.readU16("local extra length"))
        return entry.localHeaderOffset + 30 + nameLength + extraLength
    }

    private static func readBytes(fd: Int32, fileSize: UInt64, path: String, offset: UInt64, count: Int,
                                  field: String) throws -> [UInt8] {
        let (end, overflow) = offset.addingReportingOverflow(UInt64(count))
        guard !overflow, end <= fileSize else {
            throw ModelFormatError.truncated(format: format, field: field, offset: offset, needed: UInt64(count),
                                             available: fileSize &- min(offset, fileSize))
        }
        var bytes = [UInt8](repeating: 0, count: count)
        if count > 0 {
            try bytes.withUnsafeMutableBytes { try readFully(fd: fd, path: path, into: $0.baseAddress!, count: count, offset: offset) }
        }
        return bytes
    }

    private static func readCentralDirectory(fd: Int32, fileSize: UInt64, path: String) throws -> [Entry] {
        // End of central directory: 22 bytes plus a comment of up to 65,535 bytes at the end.
        guard fileSize >= 22 else {
            throw ModelFormatError.truncated(format: format, field: "end of central directory", offset: 0, needed: 22, available: fileSize)
        }
        let tailCount = Int(min(fileSize, 22 + 65_535 + 20))
        let tailStart = fileSize - UInt64(tailCount)
        let tail = try readBytes(fd: fd, fileSize: fileSize, path: path, offset: tailStart, count: tailCount, field: "file tail")
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4b, tail[i + 2] == 5, tail[i + 3] == 6 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            throw ModelFormatError.invalidField(format: format, field: "end of central directory",
                                                reason: "signature not found (not a zip file, or truncated)")
        }
        var reader = BinaryReader(Array(tail[eocd...]), format: format, baseOffset: tailStart + UInt64(eocd))
        try reader.skip(10, "end of central directory header")
        var count = UInt64(try reader.readU16("entry count"))
        var cdSize = UInt64(try reader.readU32("central directory size"))
        var cdOffset = UInt64(try reader.readU32("central directory offset"))
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // Zip64: the locator sits just before the end record and points at the Zip64 end record.
            guard eocd >= 20 else {
                throw ModelFormatError.invalidField(format: format, field: "zip64 locator", reason: "missing before end record")
            }
            var locator = BinaryReader(Array(tail[(eocd - 20)..<eocd]), format: format)
            guard try locator.readU32("zip64 locator signature") == 0x0706_4b50 else {
                throw ModelFormatError.invalidField(format: format, field: "zip64 locator signature", reason: "not found")
            }
            try locator.skip(4, "zip64 locator disk")
            let recordOffset = try locator.readU64("zip64 end record offset")
            let record = try readBytes(fd: fd, fileSize: fileSize, path: path, offset: recordOffset, count: 56, field: "zip64 end record")
            var r = BinaryReader(record, format: format, baseOffset: recordOffset)
            guard try r.readU32("zip64 end record signature") == 0x0606_4b50 else {
                throw ModelFormatError.invalidField(format: format, field: "zip64 end record signature", reason: "not found")
            }
            try r.skip(20, "zip64 end record fields")
            try r.skip(8, "zip64 entries on disk")
            count = try r.readU64("zip64 entry count")
            cdSize = try r.readU64("zip64 central directory size")
            cdOffset = try r.readU64("zip64 central directory offset")
        }
        let (cdEnd, overflow) = cdOffset.addingReportingOverflow(cdSize)
        guard !overflow, cdEnd <= fileSize else {
            throw ModelFormatError.truncated(format: format, field: "central directory", offset: cdOffset, needed: cdSize,
                                             available: fileSize &- min(cdOffset, fileSize))
        }
        guard cdSize <= 256 << 20 else {
            throw ModelFormatError.invalidField(format: format, field: "central directory size", reason: "\(cdSize) bytes is implausible")
        }
        guard count <= cdSize / 46 else {
            throw ModelFormatError.invalidField(format: format, field: "entry count",
                                                reason: "\(count) entries cannot fit in a \(cdSize)-byte central directory")
        }
        let directory = try readBytes(fd: fd, fileSize: fileSize, path: path, offset: cdOffset, count: Int(cdSize), field: "central directory")
        var cd = BinaryReader(directory, format: format, baseOffset: cdOffset)
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        for index in 0..<count {
            guard try cd.readU32("central header signature") == 0x0201_4b50 else {
                throw ModelFormatError.invalidField(format: format, field: "central header signature of entry \(index)",
                                                    reason: "not 'PK\\1\\2' (central directory corrupt)")
            }
            try cd.skip(4, "versions")
            let flags = try cd.readU16("flags")
            let method = try cd.readU16("compression method")
            try cd.skip(4, "modification time")
            let crc = try cd.readU32("crc32")
            var compressed = UInt64(try cd.readU32("compressed size"))
            var uncompressed = UInt64(try cd.readU32("uncompressed size"))
            let nameLength = Int(try cd.readU16("name length"))
            let extraLength = Int(try cd.readU16("extra length"))
            let commentLength = Int(try cd.readU16("comment length"))
            try cd.skip(8, "disk number and attributes")
            var localOffset = UInt64(try cd.readU32("local header offset"))
            let nameBytes = try cd.readBytes(nameLength, "name of entry \(index)")
            let name = String(decoding: nameBytes, as: UTF8.self)
            var extra = BinaryReader(Array(try cd.readBytes(extraLength, "extra field of \(name)")), format: format)
            try cd.skip(commentLength, "comment of \(name)")
            while extra.remaining >= 4 {
                let id = try extra.readU16("extra id")
                let size = Int(try extra.readU16("extra size"))
                var field = BinaryReader(Array(try extra.readBytes(size, "extra field body of \(name)")), format: format)
                guard id == 0x0001 else { continue }
                // Zip64 extended information: only the fields whose 32-bit value is saturated, in order.
                if uncompressed == 0xFFFF_FFFF { uncompressed = try field.readU64("zip64 uncompressed size of \(name)") }
                if compressed == 0xFFFF_FFFF { compressed = try field.readU64("zip64 compressed size of \(name)") }
                if localOffset == 0xFFFF_FFFF { localOffset = try field.readU64("zip64 local header offset of \(name)") }
            }
            guard localOffset < fileSize else {
                throw ModelFormatError.invalidField(format: format, field: "local header offset of \(name)",
                                                    reason: "\(localOffset) is past the end of the \(fileSize)-byte file")
            }
            entries.append(Entry(name: name, method: method, crc32: crc, compressedSize: compressed,
                                 uncompressedSize: uncompressed, localHeaderOffset: localOffset, flags: flags))
        }
        return entries
    }
}
