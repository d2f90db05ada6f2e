import Vision

/// The dominant colours of an image: k-means in RGB on at most 40,000 evenly spaced pixels, seeded by
/// k-means++ with a fixed generator so that the same image always gives the same palette.
struct Palette {
    struct Colour {
        let r: Double, g: Double, b: Double
        /// Fraction of the sampled pixels nearest to this colour.
        let share: Double
        var hex: String {
            let c = [r, g, b].map { Int(($0).rounded().clamped(0, 255)) }
            return "#" + c.map { String($0, radix: 16).uppercased().leftPadded(2) }.joined()
        }
        /// A common colour name from hue, saturation and lightness (HSL).
        var name: String {
            let (mx, mn) = (max(r, g, b) / 255, min(r, g, b) / 255)
            let l = (mx + mn) / 2, c = mx - mn
            let s = c == 0 ? 0 : c / (1 - abs(2 * l - 1))
            if s < 0.15 || c < 0.06 {
                return l < 0.15 ? "black" : l < 0.35 ? "dark gray" : l < 0.65 ? "gray" : l < 0.88 ? "light gray" : "white"
            }
            var h: Double
            let (rn, gn, bn) = (r / 255, g / 255, b / 255)
            if mx == rn { h = 60 * ((gn - bn) / c) } else if mx == gn { h = 60 * ((bn - rn) / c + 2) } else { h = 60 * ((rn - gn) / c + 4) }
            if h < 0 { h += 360 }
            let base: String
            switch h {
            case 15..<45: base = l < 0.45 ? "brown" : s < 0.45 ? (l > 0.75 ? "beige" : "tan") : "orange"
            case 45..<70: base = l < 0.35 ? "olive" : s < 0.4 && l > 0.7 ? "beige" : "yellow"
            case 70..<165: base = "green"
            case 165..<195: base = "teal"
            case 195..<255: base = "blue"
            case 255..<290: base = "purple"
            case 290..<345: base = l > 0.6 ? "pink" : "magenta"
            default: base = l > 0.7 ? "pink" : "red"
            }
            if ["brown", "tan", "beige", "olive"].contains(base) { return base }
            return l < 0.25 ? "dark " + base : l > 0.75 ? "light " + base : base
        }
    }

    let colours: [Colour]

    init(image: RGBImage, count k: Int) {
        let n = image.pixelCount
        let step = max(1, Int((Double(n) / 40_000).squareRoot().rounded(.up)))
        var samples: [(Double, Double, Double)] = []
        samples.reserveCapacity(n / (step * step) + 1)
        for y in stride(from: 0, to: image.height, by: step) {
            for x in stride(from: 0, to: image.width, by: step) {
                let p = image[x, y]
                samples.append((Double(p.0), Double(p.1), Double(p.2)))
            }
        }
        func dist(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> Double {
            let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
            return dr * dr + dg * dg + db * db
        }
        // k-means++ seeding with a fixed linear congruential generator.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var centres = [samples[samples.count / 2]]
        var nearest = samples.map { dist($0, centres[0]) }
        while centres.count < min(k, samples.count) {
            let total = nearest.reduce(0, +)
            guard total > 0 else { break }
            var target = random() * total, pick = samples.count - 1
            for (i, d) in nearest.enumerated() { target -= d; if target <= 0 { pick = i; break } }
            centres.append(samples[pick])
            for i in samples.indices { nearest[i] = min(nearest[i], dist(samples[i], samples[pick])) }
        }
        var assignment = [Int](repeating: 0, count: samples.count)
        for _ in 0..<15 {
            var sums = [(Double, Double, Double)](repeating: (0, 0, 0), count: centres.count)
            var counts = [Int](repeating: 0, count: centres.count)
            for (i, s) in samples.enumerated() {
                var best = 0, bestD = Double.infinity
                for (c, centre) in centres.enumerated() {
                    let d = dist(s, centre)
                    if d < bestD { (best, bestD) = (c, d) }
                }
                assignment[i] = best
                sums[best].0 += s.0; sums[best].1 += s.1; sums[best].2 += s.2
                counts[best] += 1
            }
            for c in centres.indices where counts[c] > 0 {
                let m = Double(counts[c])
                centres[c] = (sums[c].0 / m, sums[c].1 / m, sums[c].2 / m)
            }
        }
        var counts = [Int](repeating: 0, count: centres.count)
        for a in assignment { counts[a] += 1 }
        colours = centres.indices.map { c in
            Colour(r: centres[c].0, g: centres[c].1, b: centres[c].2, share: Double(counts[c]) / Double(samples.count))
        }.filter { $0.share > 0 }.sorted { $0.share > $1.share }
    }
}

extension Double {
    func clamped(_ lo: Double, _ hi: Double) -> Double { Swift.min(hi, Swift.max(lo, self)) }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
