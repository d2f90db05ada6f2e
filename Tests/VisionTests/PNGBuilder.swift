import CZlib

/// Builds PNG files byte by byte (IHDR, PLTE, tRNS, IDAT, IEND), independent of libpng's writer,
/// so the decoder is checked against pixel values we chose.
enum PNGBuilder {
    /// - Parameters:
    ///   - colorType: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA
    ///   - rows: unfiltered scanline bytes, one array per row (packed as the bit depth says)
    static func build(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]],
                      palette: [UInt8]? = nil, transparency: [UInt8]? = nil) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr = be32(UInt32(width)) + be32(UInt32(height))
        ihdr += [bitDepth, colorType, 0, 0, 0]
        out += chunk("IHDR", ihdr)
        if let palette { out += chunk("PLTE", palette) }
        if let transparency { out += chunk("tRNS", transparency) }
        var raw: [UInt8] = []
        for row in rows { raw.append(0); raw += row }   // filter type 0 (None)
        out += chunk("IDAT", deflate(raw))
        out += chunk("IEND", [])
        return out
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        let body = typeBytes + data
        let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        return be32(UInt32(data.count)) + body + be32(UInt32(crc))
    }

    static func deflate(_ data: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { i in compress2(o.baseAddress, &size, i.baseAddress, uLong(i.count), 6) }
        }
        precondition(status == Z_OK)
        return Array(out.prefix(Int(size)))
    }
}
