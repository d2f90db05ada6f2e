/// Geometry: orientation, crop, pad, flips and quarter turns.
extension RGBImage {
    /// The image turned upright according to an EXIF orientation.
    public func oriented(_ orientation: EXIFOrientation) -> RGBImage {
        guard orientation != .up else { return self }
        let w = width, h = height
        let outW = orientation.swapsDimensions ? h : w
        let outH = orientation.swapsDimensions ? w : h
        // Maps an output pixel to the stored pixel it shows.
        let source: (Int, Int) -> (Int, Int)
        switch orientation {
        case .up: source = { ($0, $1) }
        case .upMirrored: source = { (w - 1 - $0, $1) }
        case .down: source = { (w - 1 - $0, h - 1 - $1) }
        case .downMirrored: source = { ($0, h - 1 - $1) }
        case .leftMirrored: source = { ($1, $0) }
        case .right: source = { ($1, h - 1 - $0) }
        case .rightMirrored: source = { (w - 1 - $1, h - 1 - $0) }
        case .left: source = { (w - 1 - $1, $0) }
        }
        return remapped(width: outW, height: outH, source: source)
    }

    /// Rotated clockwise by a multiple of 90 degrees.
    public func rotated(quarterTurnsClockwise turns: Int) -> RGBImage {
        switch ((turns % 4) + 4) % 4 {
        case 1: return oriented(.right)
        case 2: return oriented(.down)
        case 3: return oriented(.left)
        default: return self
        }
    }

    /// Mirrored left–right.
    public func flippedHorizontally() -> RGBImage { oriented(.upMirrored) }

    /// Mirrored top–bottom.
    public func flippedVertically() -> RGBImage { oriented(.downMirrored) }

    /// The part of the image inside `[x, x + w) × [y, y + h)`, clipped to the image.
    /// Throws when nothing of the rectangle lies inside the image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) throws -> RGBImage {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x &+ max(w, 0)), y1 = min(height, y &+ max(h, 0))
        guard x1 > x0, y1 > y0 else {
            throw VisionError.invalidArgument(operation: "crop",
                                              reason: "rectangle (\(x), \(y), \(w)×\(h)) lies outside the \(width)×\(height) image")
        }
        return remapped(width: x1 - x0, height: y1 - y0) { ($0 + x0, $1 + y0) }
    }

    /// The image with borders of a solid colour added (alpha, if any, is 0 in the border).
    public func padded(top: Int, left: Int, bottom: Int, right: Int,
                       fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) throws -> RGBImage {
        guard top >= 0, left >= 0, bottom >= 0, right >= 0 else {
            throw VisionError.invalidArgument(operation: "pad", reason: "negative border")
        }
        var out = try RGBImage(width: width + left + right, height: height + top + bottom, fill: fill)
        var outAlpha: [UInt8]? = alpha.map { _ in [UInt8](repeating: 0, count: out.pixelCount) }
        for y in 0..<height {
            let src = 3 * y * width, dst = 3 * ((y + top) * out.width + left)
            out.pixels.replaceSubrange(dst..<(dst + 3 * width), with: pixels[src..<(src + 3 * width)])
            if let alpha {
                let a = (y + top) * out.width + left
                outAlpha!.replaceSubrange(a..<(a + width), with: alpha[(y * width)..<((y + 1) * width)])
            }
        }
        out.alpha = outAlpha
        return out
    }

    /// Pads on the right and bottom to exactly `width × height` (which must not be smaller).
    public func padded(toWidth w: Int, height h: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) throws -> RGBImage {
        guard w >= width, h >= height else {
            throw VisionError.invalidArgument(operation: "pad", reason: "target \(w)×\(h) is smaller than \(width)×\(height)")
        }
        return try padded(top: 0, left: 0, bottom: h - height, right: w - width, fill: fill)
    }

    private func remapped(width outW: Int, height outH: Int, source: (Int, Int) -> (Int, Int)) -> RGBImage {
        var out = [UInt8](repeating: 0, count: outW * outH * 3)
        var outAlpha: [UInt8]? = alpha.map { _ in [UInt8](repeating: 0, count: outW * outH) }
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    for x in 0..<outW {
                        let (sx, sy) = source(x, y)
                        let s = 3 * (sy * width + sx), d = 3 * (y * outW + x)
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        if let alpha {
            for y in 0..<outH {
                for x in 0..<outW {
                    let (sx, sy) = source(x, y)
                    outAlpha![y * outW + x] = alpha[sy * width + sx]
                }
            }
        }
        return try! RGBImage(width: outW, height: outH, pixels: out, alpha: outAlpha)  // sizes computed above
    }
}
