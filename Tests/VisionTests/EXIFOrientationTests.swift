import Testing
import Vision

@Suite struct EXIFOrientationTests {
    /// An APP1 Exif segment holding only the orientation tag, in either byte order.
    static func exifSegment(orientation: Int, littleEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        var tiff: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
        tiff += u16(42) + u32(8)
        tiff += u16(1)                                                   // one IFD entry
        tiff += u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0)
        tiff += u32(0)                                                   // no next IFD
        let payload: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    static func withEXIF(_ jpeg: [UInt8], orientation: Int, littleEndian: Bool = true) -> [UInt8] {
        Array(jpeg.prefix(2)) + exifSegment(orientation: orientation, littleEndian: littleEndian) + Array(jpeg.dropFirst(2))
    }

    /// 32×16 stored image: four 8×8-aligned colour blocks along the top, black below.
    static func stored() throws -> RGBImage {
        var image = try RGBImage(width: 32, height: 16)
        let colours: [(UInt8, UInt8, UInt8)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
        for y in 0..<8 { for x in 0..<32 { image[x, y] = colours[x / 8] } }
        return image
    }

    static func close(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8)) -> Bool {
        abs(Int(a.0) - Int(b.0)) < 40 && abs(Int(a.1) - Int(b.1)) < 40 && abs(Int(a.2) - Int(b.2)) < 40
    }

    @Test(arguments: EXIFOrientation.allCases)
    func decodedImageIsUpright(_ orientation: EXIFOrientation) throws {
        let source = try Self.stored()
        let jpeg = Self.withEXIF(try JPEGCodec.encode(source, quality: 100), orientation: orientation.rawValue,
                                 littleEndian: orientation.rawValue % 2 == 0)
        #expect(try JPEGCodec.header(of: jpeg).orientation == orientation)
        let decoded = try ImageDecoder().decode(jpeg)
        let expected = source.oriented(orientation)
        #expect(decoded.width == expected.width && decoded.height == expected.height)
        #expect(decoded.width == (orientation.swapsDimensions ? 16 : 32))
        // Sample the centre of every 8×8 block.
        for by in stride(from: 4, to: expected.height, by: 8) {
            for bx in stride(from: 4, to: expected.width, by: 8) {
                #expect(Self.close(decoded[bx, by], expected[bx, by]), "block at (\(bx), \(by)) for \(orientation)")
            }
        }
    }

    @Test func orientationMapsCornersAsEXIFDefines() throws {
        // 2×3 image, pixel value = index, to check the exact mapping of each orientation.
        var image = try RGBImage(width: 2, height: 3)
        for y in 0..<3 { for x in 0..<2 { image[x, y] = (UInt8(y * 2 + x), 0, 0) } }
        func grid(_ o: EXIFOrientation) -> [UInt8] {
            let r = image.oriented(o)
            return (0..<r.pixelCount).map { r.pixels[3 * $0] }
        }
        #expect(grid(.up) == [0, 1, 2, 3, 4, 5])
        #expect(grid(.upMirrored) == [1, 0, 3, 2, 5, 4])
        #expect(grid(.down) == [5, 4, 3, 2, 1, 0])
        #expect(grid(.downMirrored) == [4, 5, 2, 3, 0, 1])
        #expect(grid(.leftMirrored) == [0, 2, 4, 1, 3, 5])    // transpose
        #expect(grid(.right) == [4, 2, 0, 5, 3, 1])           // 90° clockwise
        #expect(grid(.rightMirrored) == [5, 3, 1, 4, 2, 0])   // transverse
        #expect(grid(.left) == [1, 3, 5, 0, 2, 4])            // 90° counter-clockwise
    }

    @Test func damagedEXIFIsIgnored() throws {
        let jpeg = try JPEGCodec.encode(try Self.stored(), quality: 90)
        var bad = Self.withEXIF(jpeg, orientation: 6)
        bad[4 + 6 + 4] = 0xFF  // corrupt the IFD offset
        #expect(EXIFOrientation(jpeg: bad) == .up || EXIFOrientation(jpeg: bad) == .right)
        #expect(EXIFOrientation(jpeg: Self.withEXIF(jpeg, orientation: 9)) == .up)
        #expect(EXIFOrientation(jpeg: Array(Self.withEXIF(jpeg, orientation: 6).prefix(12))) == .up)
        #expect(EXIFOrientation(jpeg: [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF]) == .up)
    }
}
