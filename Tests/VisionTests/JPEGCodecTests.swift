import TestSupport
import CJPEG
import Testing
import Vision

@Suite struct JPEGCodecTests {
    let decoder = ImageDecoder()

    /// A smooth gradient (JPEG-friendly) of the given size.
    static func gradient(width: Int = 48, height: Int = 32) throws -> RGBImage {
        var image = try RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = (UInt8(x * 255 / (width - 1)), UInt8(y * 255 / (height - 1)), UInt8((x + y) % 128 * 2))
            }
        }
        return image
    }

    static func meanAbsoluteError(_ a: [UInt8], _ b: [UInt8]) -> Double {
        precondition(a.count == b.count)
        return zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(a.count)
    }

    /// Encodes raw interleaved samples with 1, 3 or 4 components through libjpeg.
    static func encodeRaw(_ samples: [UInt8], width: Int, height: Int, components: Int, progressive: Bool = false) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var err = [CChar](repeating: 0, count: 256)
        let status = samples.withUnsafeBufferPointer {
            loupe_jpeg_encode($0.baseAddress, Int32(width), Int32(height), Int32(components), 95, progressive ? 1 : 0,
                              &out, &size, &err, err.count)
        }
        precondition(status == 0, String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        defer { loupe_jpeg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    @Test func baselineRoundTrip() throws {
        let image = try Self.gradient()
        let jpeg = try JPEGCodec.encode(image, quality: 95)
        let head = try JPEGCodec.header(of: jpeg)
        #expect(head.components == 3 && !head.progressive && head.orientation == .up)
        let decoded = try decoder.decode(jpeg)
        #expect(decoded.width == 48 && decoded.height == 32)
        #expect(Self.meanAbsoluteError(decoded.pixels, image.pixels) < 2.5)
    }

    @Test func progressiveRoundTrip() throws {
        let image = try Self.gradient()
        let jpeg = try JPEGCodec.encode(image, quality: 95, progressive: true)
        #expect(try JPEGCodec.header(of: jpeg).progressive)
        #expect(Self.meanAbsoluteError(try decoder.decode(jpeg).pixels, image.pixels) < 2.5)
    }

    @Test func grayscaleDecodesToEqualChannels() throws {
        let gray = (0..<(40 * 24)).map { UInt8(($0 % 40) * 6) }
        let jpeg = Self.encodeRaw(gray, width: 40, height: 24, components: 1)
        #expect(try JPEGCodec.header(of: jpeg).components == 1)
        let decoded = try decoder.decode(jpeg)
        for i in 0..<decoded.pixelCount {
            #expect(decoded.pixels[3 * i] == decoded.pixels[3 * i + 1] && decoded.pixels[3 * i] == decoded.pixels[3 * i + 2])
        }
        let channel = (0..<decoded.pixelCount).map { decoded.pixels[3 * $0] }
        #expect(Self.meanAbsoluteError(channel, gray) < 2.5)
    }

    @Test func adobeCMYKConvertsToRGB() throws {
        // Adobe convention: stored values are inverted inks (255 = no ink).
        // Left half: no ink except full yellow -> (255,255,0). Right half: 50 % black -> gray ~128.
        let width = 32, height = 16
        var cmyk = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let i = 4 * (y * width + x)
                if x < 16 { cmyk[i + 2] = 0 } else { cmyk[i + 3] = 128 }
            }
        }
        let jpeg = Self.encodeRaw(cmyk, width: width, height: height, components: 4)
        #expect(try JPEGCodec.header(of: jpeg).components == 4)
        let image = try decoder.decode(jpeg)
        let (r, g, b) = image[4, 8]
        #expect(r > 245 && g > 245 && b < 10)
        let (r2, g2, b2) = image[28, 8]
        #expect(abs(Int(r2) - 128) < 6 && abs(Int(g2) - 128) < 6 && abs(Int(b2) - 128) < 6)
    }

    @Test func truncatedJPEGThrows() throws {
        let jpeg = try JPEGCodec.encode(try Self.gradient(width: 96, height: 64), quality: 90)
        for cut in stride(from: 2, to: jpeg.count - 2, by: max(1, jpeg.count / 60)) {
            do {
                _ = try decoder.decode(Array(jpeg.prefix(cut)), name: "cut.jpg")
                Issue.record("decoding \(cut) of \(jpeg.count) bytes should fail")
            } catch let error as VisionError {
                switch error {
                case .corrupt(let file, let format, _): #expect(file == "cut.jpg" && format == "JPEG")
                case .unknownFormat, .invalidDimensions: break
                default: Issue.record("unexpected error \(error)")
                }
            }
        }
    }

    @Test func flippedBytesNeverCrash() throws {
        let jpeg = try JPEGCodec.encode(try Self.gradient(), quality: 90)
        var rng = SplitMix(seed: 11)
        for _ in 0..<300 {
            var damaged = jpeg
            let position = 3 + Int(rng.next() % UInt64(jpeg.count - 3))
            damaged[position] ^= UInt8(1 + rng.next() % 255)
            do { _ = try decoder.decode(damaged) } catch is VisionError {}
        }
    }

    @Test func pixelCapRefusesLargeJPEG() throws {
        let jpeg = try JPEGCodec.encode(try Self.gradient(), quality: 90)
        #expect(throws: VisionError.tooLarge(file: "<memory>", width: 48, height: 32, maxPixels: 1000)) {
            try ImageDecoder(maxPixels: 1000).decode(jpeg)
        }
    }
}
