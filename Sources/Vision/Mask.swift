/// A per-pixel selection of an image: `[H, W]` coverage 0…255 (255 = inside).
public struct Mask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var values: [UInt8]

    public init(width: Int, height: Int, values: [UInt8]) throws {
        let count = try RGBImage.pixelCount(width: width, height: height)
        guard values.count == count else { throw VisionError.bufferMismatch(expected: count, actual: values.count) }
        (self.width, self.height, self.values) = (width, height, values)
    }

    /// Probabilities `[H, W]` in 0…1 thresholded at `threshold` (inside = 255).
    public init(width: Int, height: Int, probabilities: [Float], threshold: Float = 0.5) throws {
        try self.init(width: width, height: height, values: probabilities.map { $0 >= threshold ? 255 : 0 })
    }

    /// Everything inside the pixel rectangle `[x0, x1) × [y0, y1)` (clipped to the mask).
    public init(width: Int, height: Int, box: PixelBox) throws {
        var values = [UInt8](repeating: 0, count: try RGBImage.pixelCount(width: width, height: height))
        let b = box.clipped(width: width, height: height)
        if b.x1 > b.x0, b.y1 > b.y0 {
            for y in b.y0..<b.y1 { for x in b.x0..<b.x1 { values[y * width + x] = 255 } }
        }
        try self.init(width: width, height: height, values: values)
    }

    /// Fraction of pixels inside (coverage ≥ 128).
    public var areaFraction: Double {
        Double(values.reduce(0) { $0 + ($1 >= 128 ? 1 : 0) }) / Double(max(1, values.count))
    }

    /// The tightest box around the inside pixels, or nil if there are none.
    public var boundingBox: PixelBox? {
        var x0 = width, y0 = height, x1 = -1, y1 = -1
        for y in 0..<height {
            for x in 0..<width where values[y * width + x] >= 128 {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        return x1 < 0 ? nil : PixelBox(x0: x0, y0: y0, x1: x1 + 1, y1: y1 + 1)
    }

    /// The inside pixels split into 8-connected regions, largest first (regions under `minimumPixels` dropped).
    public func components(minimumPixels: Int = 1) -> [Mask] {
        var label = [Int32](repeating: -1, count: values.count)
        var regions: [[Int]] = []
        var stack: [Int] = []
        for start in values.indices where values[start] >= 128 && label[start] < 0 {
            var members: [Int] = []
            label[start] = Int32(regions.count)
            stack.append(start)
            while let p = stack.popLast() {
                members.append(p)
                let px = p % width, py = p / width
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = px + dx, ny = py + dy
                        guard nx >= 0, nx < width, ny >= 0, ny < height else { continue }
                        let q = ny * width + nx
                        if values[q] >= 128, label[q] < 0 { label[q] = Int32(regions.count); stack.append(q) }
                    }
                }
            }
            regions.append(members)
        }
        return regions.filter { $0.count >= minimumPixels }.sorted { $0.count > $1.count }.map { members in
            var v = [UInt8](repeating: 0, count: values.count)
            for p in members { v[p] = 255 }
            return try! Mask(width: width, height: height, values: v)  // same size as self
        }
    }

    /// The mask grown by about `radius` pixels (any pixel a box of that radius around an inside pixel reaches).
    public func dilated(by radius: Int) -> Mask {
        guard radius > 0 else { return self }
        let spread = RGBImage.boxBlur(values.map { $0 >= 128 ? 1 : 0 }, width: width, height: height, radius: radius)
        return try! Mask(width: width, height: height, values: spread.map { $0 > 1e-4 ? 255 : 0 })  // same size as self
    }

    /// The mask as a grey image (white inside), for saving.
    public var image: RGBImage {
        var px = [UInt8](repeating: 0, count: values.count * 3)
        for i in values.indices { px[3 * i] = values[i]; px[3 * i + 1] = values[i]; px[3 * i + 2] = values[i] }
        return try! RGBImage(width: width, height: height, pixels: px)  // same size as self
    }
}

/// A rectangle in pixels: `[x0, x1) × [y0, y1)`.
public struct PixelBox: Sendable, Equatable {
    public var x0, y0, x1, y1: Int
    public init(x0: Int, y0: Int, x1: Int, y1: Int) { (self.x0, self.y0, self.x1, self.y1) = (x0, y0, x1, y1) }

    /// From a box normalised to 0…1 (`[x0, y0, x1, y1]`) on an image of the given size.
    public init(normalized b: [Double], width: Int, height: Int) {
        self.init(x0: Int((b[0] * Double(width)).rounded(.down)), y0: Int((b[1] * Double(height)).rounded(.down)),
                  x1: Int((b[2] * Double(width)).rounded(.up)), y1: Int((b[3] * Double(height)).rounded(.up)))
    }

    public func clipped(width: Int, height: Int) -> PixelBox {
        PixelBox(x0: min(max(x0, 0), width), y0: min(max(y0, 0), height), x1: min(max(x1, 0), width), y1: min(max(y1, 0), height))
    }

    public var isEmpty: Bool { x1 <= x0 || y1 <= y0 }

    /// `[x0, y0, x1, y1]` normalised to 0…1 on an image of the given size.
    public func normalized(width: Int, height: Int) -> [Double] {
        [Double(x0) / Double(width), Double(y0) / Double(height), Double(x1) / Double(width), Double(y1) / Double(height)]
    }
}
