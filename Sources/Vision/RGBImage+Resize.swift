/// How `resized` samples the source.
public enum ResizeFilter: Sendable {
    /// Half-pixel-centred bilinear interpolation (as OpenCV's INTER_LINEAR).
    case bilinear
    /// Box averaging over each output pixel's footprint when shrinking (as OpenCV's INTER_AREA);
    /// bilinear when enlarging.
    case area
}

extension RGBImage {
    /// The image resampled to `width × height` (alpha, if any, is resampled the same way).
    public func resized(width w: Int, height h: Int, filter: ResizeFilter = .bilinear) throws -> RGBImage {
        _ = try RGBImage.pixelCount(width: w, height: h)
        if w == width && h == height { return self }
        let xTaps = ResampleTaps(source: width, destination: w, filter: filter)
        let yTaps = ResampleTaps(source: height, destination: h, filter: filter)
        let rgb = ResampleTaps.resample(pixels, channels: 3, width: width, height: height, xTaps: xTaps, yTaps: yTaps)
        let a = alpha.map { ResampleTaps.resample($0, channels: 1, width: width, height: height, xTaps: xTaps, yTaps: yTaps) }
        return try RGBImage(width: w, height: h, pixels: rgb, alpha: a)
    }

    /// Scaled so the longer side is at most `maxSide` (never enlarged), keeping the aspect ratio.
    public func fitted(within maxSide: Int, filter: ResizeFilter = .area) throws -> RGBImage {
        let longest = max(width, height)
        guard longest > maxSide else { return self }
        let scale = Double(maxSide) / Double(longest)
        return try resized(width: max(1, Int((Double(width) * scale).rounded())),
                           height: max(1, Int((Double(height) * scale).rounded())), filter: filter)
    }
}

/// Per-output-index source taps and weights for one axis, in compressed rows.
struct ResampleTaps {
    var offsets: [Int] = [0]   // [dst + 1]
    var indices: [Int] = []
    var weights: [Float] = []

    init(source: Int, destination: Int, filter: ResizeFilter) {
        let scale = Double(source) / Double(destination)
        let useArea = filter == .area && destination < source
        for d in 0..<destination {
            if useArea {
                let start = Double(d) * scale, end = Double(d + 1) * scale
                var i = Int(start.rounded(.down))
                while Double(i) < end && i < source {
                    let overlap = min(end, Double(i + 1)) - max(start, Double(i))
                    if overlap > 1e-9 {
                        indices.append(i)
                        weights.append(Float(overlap / scale))
                    }
                    i += 1
                }
            } else {
                let centre = max(0, (Double(d) + 0.5) * scale - 0.5)
                let i0 = min(Int(centre.rounded(.down)), source - 1)
                let i1 = min(i0 + 1, source - 1)
                let frac = Float(centre - Double(i0))
                indices.append(i0); weights.append(1 - frac)
                indices.append(i1); weights.append(frac)
            }
            offsets.append(indices.count)
        }
    }

    /// Separable resampling of interleaved 8-bit data: rows first into floats, then columns.
    static func resample(_ src: [UInt8], channels: Int, width: Int, height: Int,
                         xTaps: ResampleTaps, yTaps: ResampleTaps) -> [UInt8] {
        let outW = xTaps.offsets.count - 1, outH = yTaps.offsets.count - 1
        var rows = [Float](repeating: 0, count: height * outW * channels)   // [H, outW, C]
        src.withUnsafeBufferPointer { s in
            rows.withUnsafeMutableBufferPointer { r in
                for y in 0..<height {
                    let srcRow = y * width * channels, dstRow = y * outW * channels
                    for x in 0..<outW {
                        for c in 0..<channels {
                            var acc: Float = 0
                            for t in xTaps.offsets[x]..<xTaps.offsets[x + 1] {
                                acc += Float(s[srcRow + xTaps.indices[t] * channels + c]) * xTaps.weights[t]
                            }
                            r[dstRow + x * channels + c] = acc
                        }
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: outH * outW * channels)
        let rowLength = outW * channels
        rows.withUnsafeBufferPointer { r in
            out.withUnsafeMutableBufferPointer { o in
                var acc = [Float](repeating: 0, count: rowLength)
                for y in 0..<outH {
                    for i in 0..<rowLength { acc[i] = 0 }
                    for t in yTaps.offsets[y]..<yTaps.offsets[y + 1] {
                        let base = yTaps.indices[t] * rowLength, w = yTaps.weights[t]
                        for i in 0..<rowLength { acc[i] += r[base + i] * w }
                    }
                    for i in 0..<rowLength { o[y * rowLength + i] = UInt8(max(0, min(255, acc[i].rounded()))) }
                }
            }
        }
        return out
    }
}
