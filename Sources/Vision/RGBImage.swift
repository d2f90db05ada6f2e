/// An 8-bit RGB image, row-major and interleaved (`[H, W, 3]`), with an optional alpha plane (`[H, W]`).
///
/// Decoders keep colour and alpha as the file stores them; use `flattened(over:)` before feeding a
/// network, so transparent areas get a defined colour.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `[H, W, 3]` bytes: R, G, B for each pixel, rows top to bottom.
    public var pixels: [UInt8]
    /// `[H, W]` opacity (255 = opaque), or nil when the image is fully opaque.
    public var alpha: [UInt8]?

    /// Largest width or height accepted anywhere (PNG's and JPEG's own limits are lower or equal).
    public static let maxSide = 1 << 20

    /// Wraps existing pixel data, checking its size.
    public init(width: Int, height: Int, pixels: [UInt8], alpha: [UInt8]? = nil) throws {
        let count = try RGBImage.pixelCount(width: width, height: height)
        guard pixels.count == count * 3 else { throw VisionError.bufferMismatch(expected: count * 3, actual: pixels.count) }
        if let alpha, alpha.count != count { throw VisionError.bufferMismatch(expected: count, actual: alpha.count) }
        self.width = width
        self.height = height
        self.pixels = pixels
        self.alpha = alpha
    }

    /// An image filled with one colour.
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) throws {
        let count = try RGBImage.pixelCount(width: width, height: height)
        var pixels = [UInt8](repeating: 0, count: count * 3)
        for i in 0..<count {
            pixels[3 * i] = fill.0
            pixels[3 * i + 1] = fill.1
            pixels[3 * i + 2] = fill.2
        }
        try self.init(width: width, height: height, pixels: pixels)
    }

    /// Number of pixels (`width × height`).
    public var pixelCount: Int { width * height }

    /// The colour at (x, y); bounds-checked.
    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
            let i = 3 * (y * width + x)
            return (pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
            let i = 3 * (y * width + x)
            pixels[i] = newValue.0
            pixels[i + 1] = newValue.1
            pixels[i + 2] = newValue.2
        }
    }

    /// The image composited over a solid background, without alpha.
    public func flattened(over background: (UInt8, UInt8, UInt8) = (255, 255, 255)) -> RGBImage {
        guard let alpha else { return self }
        var out = pixels
        let bg = [Int(background.0), Int(background.1), Int(background.2)]
        for i in 0..<pixelCount {
            let a = Int(alpha[i])
            for c in 0..<3 {
                out[3 * i + c] = UInt8((Int(pixels[3 * i + c]) * a + bg[c] * (255 - a) + 127) / 255)
            }
        }
        return try! RGBImage(width: width, height: height, pixels: out)  // same dimensions: cannot fail
    }

    /// Validates dimensions and returns `width × height`.
    public static func pixelCount(width: Int, height: Int) throws -> Int {
        guard width > 0, height > 0, width <= maxSide, height <= maxSide else {
            throw VisionError.invalidDimensions(width: width, height: height)
        }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count <= Int.max / 4 else { throw VisionError.invalidDimensions(width: width, height: height) }
        return count
    }
}
