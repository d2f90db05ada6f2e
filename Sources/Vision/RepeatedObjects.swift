import Foundation

/// Counts repeated objects no classifier names (coins, sweets, screws, cells) without knowing what they are:
/// the background is the colour of the image's border, pixels far from it in Lab (Otsu's threshold on the
/// distance) are foreground, cleaned by an opening; each connected blob is an object, blobs much larger than
/// the typical one are split by k-means on their pixel positions into as many parts as their area holds, and
/// blobs much smaller are dropped. An answer needs at least `minimumCount` blobs of consistent size.
public enum RepeatedObjects {
    /// Settings (data under `skills/`).
    public struct Settings: Sendable, Codable {
        /// Longer side of the working image.
        public var workingSide: Int
        /// Blobs smaller than this fraction of the image are noise.
        public var minimumArea: Double
        /// Blobs below this fraction of the median blob area are dropped.
        public var smallRatio: Double
        /// Blobs above this multiple of the median area hold several objects.
        public var splitRatio: Double
        /// At most this coefficient of variation of (split) blob areas for the answer to count as consistent.
        public var maximumSpread: Double
        /// Fewest blobs to call them repeated objects.
        public var minimumCount: Int
        /// Most: more blobs than this are texture, not objects.
        public var maximumCount: Int
        /// Distance-transform peaks closer than this multiple of the stronger one's radius are one object.
        public var peakSeparation: Double
        /// A blob with k peaks is k touching discs when its area over k discs of the median peak radius lies in this range.
        public var discFill: [Double]
        /// Smallest Lab distance from the background that may count as foreground.
        public var minimumContrast: Double

        public init(workingSide: Int, minimumArea: Double, smallRatio: Double, splitRatio: Double, maximumSpread: Double,
                    minimumCount: Int, maximumCount: Int, peakSeparation: Double, discFill: [Double], minimumContrast: Double) {
            (self.workingSide, self.minimumArea, self.smallRatio, self.splitRatio) = (workingSide, minimumArea, smallRatio, splitRatio)
            (self.maximumSpread, self.minimumCount, self.maximumCount, self.minimumContrast) = (maximumSpread, minimumCount, maximumCount, minimumContrast)
            (self.peakSeparation, self.discFill) = (peakSeparation, discFill)
        }
    }

    /// One object.
    public struct Object: Sendable {
        public let box: PixelBox
        public let pixels: Int
    }

    /// The objects found, or none when the blobs are not a consistent set.
    public static func find(_ image: RGBImage, settings: Settings) throws -> [Object] {
        guard settings.discFill.count == 2, settings.discFill[0] <= settings.discFill[1], settings.peakSeparation > 0 else {
            throw VisionError.invalidArgument(operation: "repeated objects", reason: "discFill must be [low, high] with low ≤ high and peakSeparation > 0")
        }
        let work = try image.fitted(within: max(32, settings.workingSide))
        let w = work.width, h = work.height, n = w * h
        let scaleX = Double(image.width) / Double(w), scaleY = Double(image.height) / Double(h)
        var lab = [SIMD3<Double>](repeating: .zero, count: n)
        for i in 0..<n {
            lab[i] = ColourNamer.lab(SIMD3(Double(work.pixels[3 * i]), Double(work.pixels[3 * i + 1]), Double(work.pixels[3 * i + 2])))
        }
        // Background: the per-channel median of the border pixels.
        var border: [SIMD3<Double>] = []
        for x in 0..<w { border.append(lab[x]); border.append(lab[(h - 1) * w + x]) }
        for y in 0..<h { border.append(lab[y * w]); border.append(lab[y * w + w - 1]) }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        let background = SIMD3(median(border.map(\.x)), median(border.map(\.y)), median(border.map(\.z)))
        let distance = lab.map { (($0 - background) * ($0 - background)).sum().squareRoot() }
        let threshold = max(settings.minimumContrast, otsu(distance))
        var fg = Mask.fromFlags(width: w, height: h, distance.map { $0 > threshold })
        fg = fg.opened()
        let minimum = max(4, Int(settings.minimumArea * Double(n)))
        var blobs = fg.components(minimumPixels: minimum).map { m -> (mask: Mask, pixels: Int) in (m, m.values.reduce(0) { $0 + ($1 >= 128 ? 1 : 0) }) }
        // Blobs touching three or more sides are background pieces, not objects.
        blobs = blobs.filter { b in
            guard let box = b.mask.boundingBox else { return false }
            let sides = [box.x0 == 0, box.y0 == 0, box.x1 == w, box.y1 == h].filter { $0 }.count
            return sides < 3
        }
        guard !blobs.isEmpty else { return [] }
        // The typical object is the median blob; but round things that touch (coins in a pile) form one blob, so
        // a blob whose distance-transform peaks account for its area as that many discs is that many objects.
        var typical = Double(blobs.map(\.pixels).sorted()[blobs.count / 2])
        var discs: [Int] = [], centres: [[(x: Int, y: Int, radius: Double)]] = []
        for b in blobs {
            let peaks = Self.peaks(b.mask, separation: settings.peakSeparation)
            centres.append(peaks)
            let radius = peaks.isEmpty ? 0 : peaks.map(\.radius).sorted()[peaks.count / 2]
            let fill = Double(b.pixels) / (Double(peaks.count) * Double.pi * radius * radius)
            discs.append(peaks.count >= 2 && (settings.discFill[0]...settings.discFill[1]).contains(fill) ? peaks.count : 1)
        }
        if blobs.count < 3, let k = discs.max(), k >= 2, let b = blobs.indices.first(where: { discs[$0] == k }) {
            typical = Double(blobs[b].pixels) / Double(k)
        }
        var objects: [(PixelBox, Int)] = []
        for (n, b) in blobs.enumerated() where Double(b.pixels) >= settings.smallRatio * typical {
            if discs[n] >= 2 {
                objects += split(b.mask, around: centres[n].map { SIMD2(Double($0.x), Double($0.y)) })
                continue
            }
            let parts = Double(b.pixels) > settings.splitRatio * typical ? Int((Double(b.pixels) / typical).rounded()) : 1
            for (box, pixels) in split(b.mask, into: max(1, parts)) { objects.append((box, pixels)) }
        }
        guard objects.count >= settings.minimumCount, objects.count <= settings.maximumCount else { return [] }
        let areas = objects.map { Double($0.1) }
        let mean = areas.reduce(0, +) / Double(areas.count)
        let spread = (areas.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(areas.count)).squareRoot() / max(1, mean)
        guard spread <= settings.maximumSpread else { return [] }
        return objects.map { box, pixels in
            Object(box: PixelBox(x0: Int(Double(box.x0) * scaleX), y0: Int(Double(box.y0) * scaleY),
                                 x1: Int((Double(box.x1) * scaleX).rounded(.up)), y1: Int((Double(box.y1) * scaleY).rounded(.up))),
                   pixels: pixels)
        }
    }

    /// Centres of the round parts of a mask: local maxima of its distance to the background (a chamfer
    /// distance), strongest first, each at least `separation` × its distance from a stronger one.
    static func peaks(_ mask: Mask, separation: Double) -> [(x: Int, y: Int, radius: Double)] {
        let w = mask.width, h = mask.height
        guard let box = mask.boundingBox else { return [] }
        // Two-pass 3-4 chamfer distance, in units of a third of a pixel.
        var d = mask.values.map { $0 >= 128 ? Int32.max / 2 : 0 }
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 where d[y * w + x] > 0 {
                var v = d[y * w + x]
                if x > 0 { v = min(v, d[y * w + x - 1] + 3) } else { v = min(v, 3) }
                if y > 0 { v = min(v, d[(y - 1) * w + x] + 3) } else { v = min(v, 3) }
                if x > 0, y > 0 { v = min(v, d[(y - 1) * w + x - 1] + 4) }
                if x + 1 < w, y > 0 { v = min(v, d[(y - 1) * w + x + 1] + 4) }
                d[y * w + x] = v
            }
        }
        for y in stride(from: box.y1 - 1, through: box.y0, by: -1) {
            for x in stride(from: box.x1 - 1, through: box.x0, by: -1) where d[y * w + x] > 0 {
                var v = d[y * w + x]
                if x + 1 < w { v = min(v, d[y * w + x + 1] + 3) } else { v = min(v, 3) }
                if y + 1 < h { v = min(v, d[(y + 1) * w + x] + 3) } else { v = min(v, 3) }
                if x + 1 < w, y + 1 < h { v = min(v, d[(y + 1) * w + x + 1] + 4) }
                if x > 0, y + 1 < h { v = min(v, d[(y + 1) * w + x - 1] + 4) }
                d[y * w + x] = v
            }
        }
        var candidates: [(x: Int, y: Int, radius: Double)] = []
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 where d[y * w + x] >= 6 {
                let v = d[y * w + x]
                var top = true
                for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 {
                    let nx = x + dx, ny = y + dy
                    if nx >= 0, nx < w, ny >= 0, ny < h, d[ny * w + nx] > v { top = false }
                } }
                if top { candidates.append((x, y, Double(v) / 3)) }
            }
        }
        var kept: [(x: Int, y: Int, radius: Double)] = []
        for c in candidates.sorted(by: { $0.radius > $1.radius }) {
            let near = kept.contains { k in
                let dx = Double(k.x - c.x), dy = Double(k.y - c.y)
                return (dx * dx + dy * dy).squareRoot() < separation * k.radius
            }
            if !near { kept.append(c) }
        }
        return kept
    }

    /// Otsu's threshold of `values` over 256 bins between their minimum and maximum.
    static func otsu(_ values: [Double]) -> Double {
        guard let lo = values.min(), let hi = values.max(), hi > lo else { return values.first ?? 0 }
        var histogram = [Double](repeating: 0, count: 256)
        for v in values { histogram[min(255, Int((v - lo) / (hi - lo) * 255))] += 1 }
        let total = Double(values.count)
        let sum = histogram.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element }
        var weightB = 0.0, sumB = 0.0, best = 0.0, bestBin = 0
        for t in 0..<256 {
            weightB += histogram[t]
            let weightF = total - weightB
            guard weightB > 0, weightF > 0 else { continue }
            sumB += Double(t) * histogram[t]
            let mB = sumB / weightB, mF = (sum - sumB) / weightF
            let between = weightB * weightF * (mB - mF) * (mB - mF)
            if between > best { (best, bestBin) = (between, t) }
        }
        return lo + (Double(bestBin) + 0.5) / 255 * (hi - lo)
    }

    /// The mask's pixels split among `centres` (each pixel to the nearest): boxes and sizes.
    static func split(_ mask: Mask, around centres: [SIMD2<Double>]) -> [(PixelBox, Int)] {
        typealias Extent = (x0: Int, y0: Int, x1: Int, y1: Int, n: Int)
        var boxes = [Extent](repeating: (Int.max, Int.max, 0, 0, 0), count: centres.count)
        guard let b = mask.boundingBox, !centres.isEmpty else { return [] }
        for y in b.y0..<b.y1 {
            for x in b.x0..<b.x1 where mask.values[y * mask.width + x] >= 128 {
                let p = SIMD2(Double(x), Double(y))
                var c = 0, best = Double.infinity
                for (k, centre) in centres.enumerated() {
                    let d = ((p - centre) * (p - centre)).sum()
                    if d < best { (c, best) = (k, d) }
                }
                boxes[c] = (min(boxes[c].x0, x), min(boxes[c].y0, y), max(boxes[c].x1, x + 1), max(boxes[c].y1, y + 1), boxes[c].n + 1)
            }
        }
        return boxes.filter { $0.n > 0 }.map { (PixelBox(x0: $0.x0, y0: $0.y0, x1: $0.x1, y1: $0.y1), $0.n) }
    }

    /// The mask's pixels split into `k` groups by k-means on their positions (boxes and sizes).
    static func split(_ mask: Mask, into k: Int) -> [(PixelBox, Int)] {
        var points: [SIMD2<Double>] = []
        for y in 0..<mask.height { for x in 0..<mask.width where mask.values[y * mask.width + x] >= 128 { points.append(SIMD2(Double(x), Double(y))) } }
        guard !points.isEmpty else { return [] }
        let k = min(k, points.count)
        // Seeds spread along the blob's longer axis, then Lloyd's iterations.
        let xs = points.map(\.x), ys = points.map(\.y)
        let wide = (xs.max()! - xs.min()!) >= (ys.max()! - ys.min()!)
        let sorted = points.sorted { wide ? $0.x < $1.x : $0.y < $1.y }
        var centres = (0..<k).map { sorted[min(sorted.count - 1, ($0 * 2 + 1) * sorted.count / (2 * k))] }
        var assignment = [Int](repeating: 0, count: points.count)
        for _ in 0..<10 {
            for (i, p) in points.enumerated() {
                var best = 0, bestD = Double.infinity
                for (c, centre) in centres.enumerated() {
                    let d = ((p - centre) * (p - centre)).sum()
                    if d < bestD { (best, bestD) = (c, d) }
                }
                assignment[i] = best
            }
            var sums = [SIMD2<Double>](repeating: .zero, count: k), counts = [Double](repeating: 0, count: k)
            for (i, p) in points.enumerated() { sums[assignment[i]] += p; counts[assignment[i]] += 1 }
            for c in 0..<k where counts[c] > 0 { centres[c] = sums[c] / counts[c] }
        }
        typealias Extent = (x0: Int, y0: Int, x1: Int, y1: Int, n: Int)
        var boxes = [Extent](repeating: (Int.max, Int.max, 0, 0, 0), count: k)
        for (i, p) in points.enumerated() {
            let c = assignment[i], x = Int(p.x), y = Int(p.y)
            boxes[c] = (min(boxes[c].x0, x), min(boxes[c].y0, y), max(boxes[c].x1, x + 1), max(boxes[c].y1, y + 1), boxes[c].n + 1)
        }
        return boxes.filter { $0.n > 0 }.map { (PixelBox(x0: $0.x0, y0: $0.y0, x1: $0.x1, y1: $0.y1), $0.n) }
    }
}

extension Mask {
    /// A mask from per-pixel flags (same size).
    static func fromFlags(width: Int, height: Int, _ flags: [Bool]) -> Mask {
        try! Mask(width: width, height: height, values: flags.map { $0 ? 255 : 0 })  // flags.count == width × height by construction
    }

    /// Erosion then dilation by one pixel (3 × 3): removes specks and thin bridges.
    func opened() -> Mask {
        func pass(_ v: [UInt8], keep: (Int) -> Bool) -> [UInt8] {
            var out = v
            for y in 0..<height {
                for x in 0..<width {
                    var count = 0
                    for dy in -1...1 {
                        for dx in -1...1 {
                            let nx = x + dx, ny = y + dy
                            if nx >= 0, nx < width, ny >= 0, ny < height, v[ny * width + nx] >= 128 { count += 1 }
                        }
                    }
                    out[y * width + x] = keep(count) ? 255 : 0
                }
            }
            return out
        }
        let eroded = pass(values) { $0 == 9 }
        let dilated = pass(eroded) { $0 > 0 }
        return try! Mask(width: width, height: height, values: dilated)  // same size as self
    }
}
