import Foundation

/// Names colours with basic colour words: each pixel takes the name of the nearest prototype in CIE Lab
/// (D65), and a region's colours are the fractions of its pixels per name. Prototypes are data (several per
/// name: light, dark and saturated reds are all "red").
public struct ColourNamer: Sendable {
    /// Colour names with their sRGB prototypes.
    public let names: [String]
    private let prototypes: [(name: Int, lab: SIMD3<Double>)]

    /// `prototypes`: name → sRGB triples (0…255). Throws when a triple is not three numbers in range.
    public init(prototypes: [String: [[Double]]]) throws {
        names = prototypes.keys.sorted()
        var list: [(Int, SIMD3<Double>)] = []
        for (i, name) in names.enumerated() {
            for rgb in prototypes[name]! {
                guard rgb.count == 3, rgb.allSatisfy({ (0...255).contains($0) }) else {
                    throw VisionError.invalidArgument(operation: "colour names", reason: "prototype for \"\(name)\" must be three numbers 0…255, got \(rgb)")
                }
                list.append((i, Self.lab(SIMD3(rgb[0], rgb[1], rgb[2]))))
            }
        }
        guard !list.isEmpty else { throw VisionError.invalidArgument(operation: "colour names", reason: "no prototypes") }
        self.prototypes = list
    }

    /// sRGB (0…255) → CIE L*a*b* under D65.
    public static func lab(_ rgb: SIMD3<Double>) -> SIMD3<Double> {
        func linear(_ c: Double) -> Double {
            let v = c / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        let r = linear(rgb.x), g = linear(rgb.y), b = linear(rgb.z)
        let x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
        let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
        let z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        let fx = f(x), fy = f(y), fz = f(z)
        return SIMD3(116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    /// The name of one sRGB colour.
    public func name(_ rgb: SIMD3<Double>) -> String { names[nearest(Self.lab(rgb))] }

    private func nearest(_ lab: SIMD3<Double>) -> Int {
        var best = 0, bestDistance = Double.infinity
        for p in prototypes {
            let d = lab - p.lab
            let distance = (d * d).sum()
            if distance < bestDistance { (best, bestDistance) = (p.name, distance) }
        }
        return best
    }

    /// The fraction of pixels per colour name inside `box` (only where `mask`, if given, is set), sampled on a
    /// grid of at most about 4,000 points.
    public func fractions(_ image: RGBImage, box: PixelBox, mask: Mask? = nil) -> [String: Double] {
        let b = box.clipped(width: image.width, height: image.height)
        guard !b.isEmpty else { return [:] }
        let step = max(1, Int((Double((b.x1 - b.x0) * (b.y1 - b.y0)) / 4000).squareRoot()))
        var counts = [Int](repeating: 0, count: names.count), total = 0
        // A small cache: photos repeat colours, and the nearest-prototype search dominates.
        var cache: [Int: Int] = [:]
        for y in stride(from: b.y0, to: b.y1, by: step) {
            for x in stride(from: b.x0, to: b.x1, by: step) {
                let p = y * image.width + x
                if let mask, mask.values[p] < 128 { continue }
                let r = Int(image.pixels[3 * p]), g = Int(image.pixels[3 * p + 1]), bl = Int(image.pixels[3 * p + 2])
                let key = (r >> 2) << 12 | (g >> 2) << 6 | (bl >> 2)
                let n: Int
                if let hit = cache[key] { n = hit } else {
                    n = nearest(Self.lab(SIMD3(Double(r), Double(g), Double(bl))))
                    cache[key] = n
                }
                counts[n] += 1
                total += 1
            }
        }
        guard total > 0 else { return [:] }
        var out: [String: Double] = [:]
        for (i, c) in counts.enumerated() where c > 0 { out[names[i]] = Double(c) / Double(total) }
        return out
    }
}
