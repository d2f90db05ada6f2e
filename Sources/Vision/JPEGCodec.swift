import CJPEG

/// JPEG decoding and encoding through libjpeg (via the CJPEG shim, which turns libjpeg's longjmp
/// errors into return codes). Decodes baseline and progressive, grayscale, RGB/YCbCr and CMYK/YCCK
/// (Adobe-inverted or plain) to RGB, and applies the EXIF orientation.
public enum JPEGCodec {
    /// Facts from the JPEG header.
    public struct Header: Sendable, Equatable {
        public let width: Int
        public let height: Int
        /// 1 gray, 3 colour, 4 CMYK.
        public let components: Int
        public let progressive: Bool
        /// EXIF orientation (1–8; 1 when absent).
        public let orientation: EXIFOrientation
    }

    /// Reads the header of JPEG bytes.
    public static func header(of data: [UInt8], file: String = "<memory>") throws -> Header {
        var info = loupe_jpeg_info()
        var err = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBufferPointer { bytes in
            loupe_jpeg_read_header(bytes.baseAddress, bytes.count, &info, &err, err.count)
        }
        guard status == 0 else { throw VisionError.corrupt(file: file, format: "JPEG", reason: message(err)) }
        return Header(width: Int(info.width), height: Int(info.height), components: Int(info.components),
                      progressive: info.progressive != 0, orientation: EXIFOrientation(jpeg: data))
    }

    /// Decodes JPEG bytes to upright RGB, refusing images above `maxPixels` before decoding pixels.
    public static func decode(_ data: [UInt8], file: String = "<memory>", maxPixels: Int,
                              applyOrientation: Bool = true) throws -> RGBImage {
        let head = try header(of: data, file: file)
        guard head.width > 0, head.height > 0 else { throw VisionError.invalidDimensions(width: head.width, height: head.height) }
        guard head.width * head.height <= maxPixels else {
            throw VisionError.tooLarge(file: file, width: head.width, height: head.height, maxPixels: maxPixels)
        }
        try MemoryBudget.check(file: file, width: head.width, height: head.height, bytesPerPixel: head.components + 3)
        let count = head.width * head.height
        var raw = [UInt8](repeating: 0, count: count * head.components)
        var info = loupe_jpeg_info()
        var err = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBufferPointer { bytes in
            raw.withUnsafeMutableBufferPointer { out in
                loupe_jpeg_decode(bytes.baseAddress, bytes.count, out.baseAddress, out.count, &info, &err, err.count)
            }
        }
        guard status == 0 else { throw VisionError.corrupt(file: file, format: "JPEG", reason: message(err)) }
        guard Int(info.components) == head.components else {
            throw VisionError.corrupt(file: file, format: "JPEG", reason: "component count changed between header and decode")
        }
        let rgb: [UInt8]
        switch head.components {
        case 1:
            var out = [UInt8](repeating: 0, count: count * 3)
            for i in 0..<count { out[3 * i] = raw[i]; out[3 * i + 1] = raw[i]; out[3 * i + 2] = raw[i] }
            rgb = out
        case 4:
            rgb = cmykToRGB(raw, count: count, inverted: info.adobe_marker != 0)
        default:
            rgb = raw
        }
        let image = try RGBImage(width: head.width, height: head.height, pixels: rgb)
        return applyOrientation ? image.oriented(head.orientation) : image
    }

    /// Encodes an image (alpha is dropped: composite first if it matters) at quality 1–100.
    public static func encode(_ image: RGBImage, quality: Int = 92, progressive: Bool = false) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var err = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            loupe_jpeg_encode(pixels.baseAddress, Int32(image.width), Int32(image.height), 3, Int32(quality),
                              progressive ? 1 : 0, &out, &size, &err, err.count)
        }
        guard status == 0, let out else { throw VisionError.encodeFailed(format: "JPEG", reason: message(err)) }
        defer { loupe_jpeg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    /// The NUL-terminated message the shim wrote.
    private static func message(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? "libjpeg reported an error" : String(decoding: bytes, as: UTF8.self)
    }

    /// CMYK to RGB. Adobe (Photoshop) files store the ink values inverted.
    private static func cmykToRGB(_ cmyk: [UInt8], count: Int, inverted: Bool) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count * 3)
        for i in 0..<count {
            var c = Int(cmyk[4 * i]), m = Int(cmyk[4 * i + 1]), y = Int(cmyk[4 * i + 2]), k = Int(cmyk[4 * i + 3])
            if !inverted { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k }
            // Now each value is (255 - ink): R = (1 - C)(1 - K).
            out[3 * i] = UInt8((c * k + 127) / 255)
            out[3 * i + 1] = UInt8((m * k + 127) / 255)
            out[3 * i + 2] = UInt8((y * k + 127) / 255)
        }
        return out
    }
}
