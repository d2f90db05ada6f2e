import TestSupport
import Testing
import Vision

@Suite struct PNGCodecTests {
    let decoder = ImageDecoder()

    @Test func grayscale8() throws {
        let png = PNGBuilder.build(width: 3, height: 2, bitDepth: 8, colorType: 0, rows: [[0, 128, 255], [10, 20, 30]])
        let image = try decoder.decode(png)
        #expect(image.width == 3 && image.height == 2)
        #expect(image.pixels == [0, 0, 0, 128, 128, 128, 255, 255, 255, 10, 10, 10, 20, 20, 20, 30, 30, 30])
        #expect(image.alpha == nil)
    }

    @Test func grayscale1Bit() throws {
        // 8 pixels in one byte: 1 0 1 1 0 0 0 1
        let png = PNGBuilder.build(width: 8, height: 1, bitDepth: 1, colorType: 0, rows: [[0b1011_0001]])
        let image = try decoder.decode(png)
        #expect(stride(from: 0, to: 24, by: 3).map { image.pixels[$0] } == [255, 0, 255, 255, 0, 0, 0, 255])
    }

    @Test func grayscale16() throws {
        // 16-bit samples v·257 must come back as v (taken as sRGB-encoded, not linear).
        let values: [UInt16] = [0, 100 * 257, 255 * 257, 37 * 257]
        let row = values.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let png = PNGBuilder.build(width: 4, height: 1, bitDepth: 16, colorType: 0, rows: [row])
        let image = try decoder.decode(png)
        #expect(stride(from: 0, to: 12, by: 3).map { image.pixels[$0] } == [0, 100, 255, 37])
    }

    @Test func rgb16() throws {
        let samples: [UInt16] = [1 * 257, 2 * 257, 3 * 257, 200 * 257, 100 * 257, 50 * 257]
        let row = samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let image = try decoder.decode(PNGBuilder.build(width: 2, height: 1, bitDepth: 16, colorType: 2, rows: [row]))
        #expect(image.pixels == [1, 2, 3, 200, 100, 50])
    }

    @Test func grayAlpha() throws {
        let png = PNGBuilder.build(width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[50, 255, 60, 0]])
        let image = try decoder.decode(png)
        #expect(image.alpha == [255, 0])
        #expect(Array(image.pixels[0..<3]) == [50, 50, 50])
    }

    @Test func rgbaKeepsAlphaAndFlattens() throws {
        let png = PNGBuilder.build(width: 2, height: 1, bitDepth: 8, colorType: 6, rows: [[10, 20, 30, 255, 200, 100, 0, 0]])
        let image = try decoder.decode(png)
        #expect(image.alpha == [255, 0])
        #expect(Array(image.pixels[0..<3]) == [10, 20, 30])
        let flat = image.flattened(over: (255, 255, 255))
        #expect(flat.alpha == nil)
        #expect(flat.pixels == [10, 20, 30, 255, 255, 255])
    }

    @Test func opaqueRGBAHasNoAlphaPlane() throws {
        let png = PNGBuilder.build(width: 1, height: 1, bitDepth: 8, colorType: 6, rows: [[1, 2, 3, 255]])
        #expect(try decoder.decode(png).alpha == nil)
    }

    @Test func paletteWithTransparency() throws {
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255]
        let png = PNGBuilder.build(width: 3, height: 1, bitDepth: 8, colorType: 3, rows: [[2, 1, 0]],
                                   palette: palette, transparency: [255, 128])
        let image = try decoder.decode(png)
        #expect(image.pixels == [0, 0, 255, 0, 255, 0, 255, 0, 0])
        #expect(image.alpha == [255, 128, 255])
    }

    @Test func palette4Bit() throws {
        let palette: [UInt8] = [0, 0, 0, 9, 8, 7, 100, 110, 120]
        let png = PNGBuilder.build(width: 4, height: 1, bitDepth: 4, colorType: 3, rows: [[0x12, 0x01]], palette: palette)
        let image = try decoder.decode(png)
        #expect(image.pixels == [9, 8, 7, 100, 110, 120, 0, 0, 0, 9, 8, 7])
    }

    @Test func roundTripRGBAndRGBA() throws {
        var image = try RGBImage(width: 7, height: 5)
        for i in 0..<image.pixels.count { image.pixels[i] = UInt8((i * 37) % 256) }
        #expect(try decoder.decode(PNGCodec.encode(image)) == image)
        image.alpha = (0..<35).map { UInt8(($0 * 11) % 256) }
        #expect(try decoder.decode(PNGCodec.encode(image)) == image)
    }

    @Test func truncatedFilesThrowTypedErrors() throws {
        var image = try RGBImage(width: 64, height: 64)
        for i in 0..<image.pixels.count { image.pixels[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 7) }
        let png = try PNGCodec.encode(image)
        for cut in stride(from: 1, to: png.count - 1, by: max(1, png.count / 97)) {
            do {
                _ = try decoder.decode(Array(png.prefix(cut)), name: "cut.png")
                // Only the 12-byte IEND trailer may be missing: every pixel is then present.
                #expect(cut >= png.count - 12, "decoding \(cut) of \(png.count) bytes should fail")
            } catch let error as VisionError {
                switch error {
                case .corrupt(let file, let format, _): #expect(file == "cut.png" && format == "PNG")
                case .unknownFormat: #expect(cut < 8)
                default: Issue.record("unexpected error \(error)")
                }
            }
        }
    }

    @Test func flippedBytesNeverCrash() throws {
        var image = try RGBImage(width: 32, height: 32)
        for i in 0..<image.pixels.count { image.pixels[i] = UInt8(i % 251) }
        let png = try PNGCodec.encode(image)
        var rng = SplitMix(seed: 7)
        for _ in 0..<300 {
            var damaged = png
            let position = 8 + Int(rng.next() % UInt64(png.count - 8))
            damaged[position] ^= UInt8(1 + rng.next() % 255)
            do { _ = try decoder.decode(damaged) } catch is VisionError {} // decoding or a typed error, nothing else
        }
    }

    @Test func pixelCapIsCheckedBeforeDecoding() throws {
        // A header claiming 60000×60000 pixels with almost no data: refused from the header alone.
        let huge = PNGBuilder.build(width: 60000, height: 60000, bitDepth: 8, colorType: 2, rows: [])
        #expect(throws: VisionError.tooLarge(file: "<memory>", width: 60000, height: 60000, maxPixels: ImageDecoder.defaultMaxPixels)) {
            try decoder.decode(huge)
        }
        let small = try PNGCodec.encode(RGBImage(width: 100, height: 100))
        #expect(throws: VisionError.self) { try ImageDecoder(maxPixels: 9_999).decode(small) }
        #expect(try ImageDecoder(maxPixels: 10_000).decode(small).width == 100)
    }

    /// Issue 14: with the pixel cap raised, a 65-byte PNG declaring 100000×100000 aborted on a 30 GB allocation.
    /// Now the memory budget refuses it from the header (a million pixels square is past any machine's budget).
    @Test func memoryBudgetIsCheckedBeforeAllocating() throws {
        let huge = PNGBuilder.build(width: 1_000_000, height: 1_000_000, bitDepth: 8, colorType: 2, rows: [])
        #expect { try ImageDecoder(maxPixels: Int.max).decode(huge) } throws: { error in
            guard case let .overBudget(_, w, h, bytes, budget)? = error as? VisionError else { return false }
            return w == 1_000_000 && h == 1_000_000 && bytes > budget && "\(error)".contains("memory budget")
        }
        #expect(throws: VisionError.self) { try MemoryBudget.check(file: "x", width: 1 << 40, height: 1 << 40, bytesPerPixel: 8) }   // overflow
        try MemoryBudget.check(file: "x", width: 4000, height: 3000, bytesPerPixel: 8)
    }

    @Test func garbageAndMissingFiles() throws {
        #expect(throws: VisionError.unknownFormat(file: "<memory>", leadingBytes: "nothing: the file is empty")) {
            try decoder.decode([])
        }
        #expect(throws: VisionError.self) { try decoder.decode(Array("hello world, not an image".utf8)) }
        #expect(throws: VisionError.unreadable(file: "/nonexistent/x.png", reason: "no such file")) {
            try decoder.decode(file: "/nonexistent/x.png")
        }
        #expect(throws: VisionError.unreadable(file: "/tmp", reason: "is a directory")) { try decoder.decode(file: "/tmp") }
    }
}
