/// Per-pixel and neighbourhood filters: blur, pixelate, grey, brightness/contrast, sketch, masked blends.
extension RGBImage {
    /// Gaussian-like blur: three box blurs of radius `radius` (horizontal then vertical), edges clamped.
    public func blurred(radius: Int) -> RGBImage {
        guard radius > 0 else { return self }
        var channels = (0..<3).map { c in (0..<pixelCount).map { Float(pixels[3 * $0 + c]) } }
        for c in 0..<3 {
            for _ in 0..<3 {
                channels[c] = Self.boxBlur(channels[c], width: width, height: height, radius: radius)
            }
        }
        var out = pixels
        for i in 0..<pixelCount { for c in 0..<3 { out[3 * i + c] = UInt8(min(max(channels[c][i].rounded(), 0), 255)) } }
        return try! RGBImage(width: width, height: height, pixels: out, alpha: alpha)  // same size
    }

    /// Running-sum box blur of one plane, horizontal then vertical.
    static func boxBlur(_ v: [Float], width w: Int, height h: Int, radius r: Int) -> [Float] {
        var tmp = v, out = v
        let norm = 1 / Float(2 * r + 1)
        for y in 0..<h {
            let row = y * w
            var sum: Float = 0
            for k in -r...r { sum += v[row + min(max(k, 0), w - 1)] }
            for x in 0..<w {
                tmp[row + x] = sum * norm
                sum += v[row + min(x + r + 1, w - 1)] - v[row + max(x - r, 0)]
            }
        }
        for x in 0..<w {
            var sum: Float = 0
            for k in -r...r { sum += tmp[min(max(k, 0), h - 1) * w + x] }
            for y in 0..<h {
                out[y * w + x] = sum * norm
                sum += tmp[min(y + r + 1, h - 1) * w + x] - tmp[max(y - r, 0) * w + x]
            }
        }
        return out
    }

    /// Mosaic of `block`×`block` squares, each the mean colour of its pixels.
    public func pixelated(block: Int) -> RGBImage {
        guard block > 1 else { return self }
        var out = pixels
        for by in stride(from: 0, to: height, by: block) {
            for bx in stride(from: 0, to: width, by: block) {
                let x1 = min(bx + block, width), y1 = min(by + block, height)
                var sum = [0, 0, 0]
                for y in by..<y1 { for x in bx..<x1 { for c in 0..<3 { sum[c] += Int(pixels[3 * (y * width + x) + c]) } } }
                let n = (x1 - bx) * (y1 - by)
                for y in by..<y1 { for x in bx..<x1 { for c in 0..<3 { out[3 * (y * width + x) + c] = UInt8(sum[c] / n) } } }
            }
        }
        return try! RGBImage(width: width, height: height, pixels: out, alpha: alpha)
    }

    /// Luma (BT.601) in all three channels.
    public func grayscale() -> RGBImage {
        var out = pixels
        for i in 0..<pixelCount {
            let r = 299 * Int(pixels[3 * i]), g = 587 * Int(pixels[3 * i + 1]), b = 114 * Int(pixels[3 * i + 2])
            let l = UInt8(min(255, (r + g + b + 500) / 1000))
            out[3 * i] = l; out[3 * i + 1] = l; out[3 * i + 2] = l
        }
        return try! RGBImage(width: width, height: height, pixels: out, alpha: alpha)
    }

    /// `v' = (v − 128)·contrast + 128 + brightness·255`, clamped (brightness −1…1, contrast ≥ 0).
    public func adjusted(brightness: Double = 0, contrast: Double = 1) -> RGBImage {
        var table = [UInt8](repeating: 0, count: 256)
        for v in 0..<256 { table[v] = UInt8(min(max(((Double(v) - 128) * contrast + 128 + brightness * 255).rounded(), 0), 255)) }
        return try! RGBImage(width: width, height: height, pixels: pixels.map { table[Int($0)] }, alpha: alpha)
    }

    /// A pencil sketch: the grey image divided by its blurred inverse ("colour dodge").
    public func sketch(radius: Int = 8) -> RGBImage {
        let grey = grayscale()
        let inverted = try! RGBImage(width: width, height: height, pixels: grey.pixels.map { 255 - $0 }).blurred(radius: radius)
        var out = grey.pixels
        for i in out.indices {
            let g = Double(grey.pixels[i]), b = Double(inverted.pixels[i])
            out[i] = UInt8(min(255, b >= 255 ? 255 : g * 255 / (255 - b)))
        }
        return try! RGBImage(width: width, height: height, pixels: out, alpha: alpha)
    }

    /// `self` where the mask is 0, `other` where it is 255, blended in between. Sizes must match.
    public func blended(with other: RGBImage, mask: Mask) throws -> RGBImage {
        guard other.width == width, other.height == height, mask.width == width, mask.height == height else {
            throw VisionError.invalidArgument(operation: "blend", reason: "image \(width)×\(height), other \(other.width)×\(other.height), mask \(mask.width)×\(mask.height)")
        }
        var out = pixels
        for i in 0..<pixelCount {
            let m = Int(mask.values[i])
            guard m > 0 else { continue }
            for c in 0..<3 { out[3 * i + c] = UInt8((Int(pixels[3 * i + c]) * (255 - m) + Int(other.pixels[3 * i + c]) * m + 127) / 255) }
        }
        return try RGBImage(width: width, height: height, pixels: out, alpha: alpha)
    }

    /// Hue shifted towards `color` inside the mask, keeping each pixel's lightness.
    public func recolored(to color: (UInt8, UInt8, UInt8), mask: Mask) throws -> RGBImage {
        var tint = pixels
        let target = [Double(color.0), Double(color.1), Double(color.2)]
        let targetLuma = (0.299 * target[0] + 0.587 * target[1] + 0.114 * target[2]) / 255
        for i in 0..<pixelCount {
            let r = 0.299 * Double(pixels[3 * i]), g = 0.587 * Double(pixels[3 * i + 1]), b = 0.114 * Double(pixels[3 * i + 2])
            let l = (r + g + b) / 255
            let k = targetLuma > 0 ? l / targetLuma : l
            for c in 0..<3 { tint[3 * i + c] = UInt8(min(255, (target[c] * k).rounded())) }
        }
        return try blended(with: try RGBImage(width: width, height: height, pixels: tint), mask: mask)
    }
}
