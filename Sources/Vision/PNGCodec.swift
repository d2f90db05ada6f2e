import CPNG

/// PNG decoding and encoding through libpng's simplified API (which reports errors by return code,
/// not longjmp). Decodes every colour type: gray, gray+alpha, RGB, RGBA, palette (with tRNS), and
/// 1–16-bit depths; 16-bit samples without colour-space chunks are taken as sRGB-encoded.
public enum PNGCodec {
    private static let flagAlpha: UInt32 = 0x01
    private static let flagColor: UInt32 = 0x02
    private static let imageFlag16BitSRGB: UInt32 = 0x04

    /// Facts from the PNG header.
    public struct Header: Sendable, Equatable {
        public let width: Int
        public let height: Int
        public let hasAlpha: Bool
        public let isColor: Bool
    }

    /// Reads the header of PNG bytes.
    public static func header(of data: [UInt8], file: String = "<memory>") throws -> Header {
        try data.withUnsafeBytes { raw in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw VisionError.corrupt(file: file, format: "PNG", reason: message(of: &image))
            }
            defer { png_image_free(&image) }
            return Header(width: Int(image.width), height: Int(image.height),
                          hasAlpha: image.format & flagAlpha != 0, isColor: image.format & flagColor != 0)
        }
    }

    /// Decodes PNG bytes, refusing images above `maxPixels` before any pixel is decoded.
    public static func decode(_ data: [UInt8], file: String = "<memory>", maxPixels: Int) throws -> RGBImage {
        try data.withUnsafeBytes { raw in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw VisionError.corrupt(file: file, format: "PNG", reason: message(of: &image))
            }
            let width = Int(image.width), height = Int(image.height)
            guard width > 0, height > 0, width <= RGBImage.maxSide, height <= RGBImage.maxSide else {
                png_image_free(&image)
                throw VisionError.invalidDimensions(width: width, height: height)
            }
            guard width * height <= maxPixels else {
                png_image_free(&image)
                throw VisionError.tooLarge(file: file, width: width, height: height, maxPixels: maxPixels)
            }
            let hasAlpha = image.format & flagAlpha != 0
            let channels = hasAlpha ? 4 : 3
            do { try MemoryBudget.check(file: file, width: width, height: height, bytesPerPixel: hasAlpha ? 8 : 3) } catch {
                png_image_free(&image)
                throw error
            }
            image.format = flagColor | (hasAlpha ? flagAlpha : 0)
            image.flags |= imageFlag16BitSRGB
            var buffer = [UInt8](repeating: 0, count: width * height * channels)
            let ok = buffer.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, 0, nil)
            }
            guard ok != 0 else {
                let reason = message(of: &image)
                png_image_free(&image)
                throw VisionError.corrupt(file: file, format: "PNG", reason: reason)
            }
            png_image_free(&image)
            guard hasAlpha else { return try RGBImage(width: width, height: height, pixels: buffer) }
            var rgb = [UInt8](repeating: 0, count: width * height * 3)
            var alpha = [UInt8](repeating: 0, count: width * height)
            var opaque = true
            for i in 0..<(width * height) {
                rgb[3 * i] = buffer[4 * i]
                rgb[3 * i + 1] = buffer[4 * i + 1]
                rgb[3 * i + 2] = buffer[4 * i + 2]
                alpha[i] = buffer[4 * i + 3]
                if alpha[i] != 255 { opaque = false }
            }
            return try RGBImage(width: width, height: height, pixels: rgb, alpha: opaque ? nil : alpha)
        }
    }

    /// Encodes an image as an 8-bit RGB PNG, or RGBA when it has alpha.
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        var source = image.pixels
        if let alpha = image.alpha {
            png.format = flagColor | flagAlpha
            source = [UInt8](repeating: 0, count: image.pixelCount * 4)
            for i in 0..<image.pixelCount {
                source[4 * i] = image.pixels[3 * i]
                source[4 * i + 1] = image.pixels[3 * i + 1]
                source[4 * i + 2] = image.pixels[3 * i + 2]
                source[4 * i + 3] = alpha[i]
            }
        } else {
            png.format = flagColor
        }
        return try source.withUnsafeBytes { pixels in
            var size: Int = 0
            guard png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, 0, nil) != 0, size > 0 else {
                throw VisionError.encodeFailed(format: "PNG", reason: message(of: &png))
            }
            var out = [UInt8](repeating: 0, count: size)
            let ok = out.withUnsafeMutableBytes { buffer in
                png_image_write_to_memory(&png, buffer.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw VisionError.encodeFailed(format: "PNG", reason: message(of: &png)) }
            return Array(out.prefix(size))
        }
    }

    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.isEmpty ? "libpng reported an error" : text
        }
    }
}
