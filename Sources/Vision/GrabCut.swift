import Foundation

/// Foreground extraction by GrabCut (Rother, Kolmogorov and Blake, 2004): colour models of foreground and
/// background (Gaussian mixtures) and a contrast-sensitive smoothness term are minimised together by a
/// minimum graph cut, alternating with re-fitting the colour models. Runs on a copy scaled to at most
/// `workingPixels`, and scales the mask back up.
public enum GrabCut {
    /// What the user knows about the object.
    public enum Seed: Sendable {
        /// The object lies inside this box; everything outside is background.
        case box(PixelBox)
        /// The object covers this pixel; the image border is background.
        case point(x: Int, y: Int)
    }

    /// Smoothness weight γ of the original paper.
    static let gamma = 50.0

    /// The foreground mask of `image` for `seed` (possibly empty when nothing stands out).
    public static func segment(_ image: RGBImage, seed: Seed, iterations: Int = 5, workingPixels: Int = 150_000) throws -> Mask {
        guard image.width >= 4, image.height >= 4 else {
            throw VisionError.invalidArgument(operation: "grabcut", reason: "image is \(image.width)x\(image.height); need at least 4x4")
        }
        let scale = min(1, (Double(workingPixels) / Double(image.pixelCount)).squareRoot())
        let w = max(4, Int((Double(image.width) * scale).rounded())), h = max(4, Int((Double(image.height) * scale).rounded()))
        let work = w == image.width && h == image.height ? image : try image.resized(width: w, height: h)
        let sx = Double(w) / Double(image.width), sy = Double(h) / Double(image.height)

        // Trimap: 0 background (fixed), 1 unknown, 2 foreground (fixed); `fg` is the current labelling.
        var trimap = [UInt8](repeating: 1, count: w * h)
        var fg = [Bool](repeating: false, count: w * h)
        switch seed {
        case let .box(b):
            let x0 = max(0, Int(Double(b.x0) * sx)), y0 = max(0, Int(Double(b.y0) * sy))
            let x1 = min(w, Int((Double(b.x1) * sx).rounded(.up))), y1 = min(h, Int((Double(b.y1) * sy).rounded(.up)))
            guard x1 - x0 >= 2, y1 - y0 >= 2 else {
                throw VisionError.invalidArgument(operation: "grabcut", reason: "the box is too small (\(b.x1 - b.x0)x\(b.y1 - b.y0) pixels)")
            }
            for y in 0..<h { for x in 0..<w { let inside = x >= x0 && x < x1 && y >= y0 && y < y1; trimap[y * w + x] = inside ? 1 : 0; fg[y * w + x] = inside } }
            // A box over (nearly) the whole image leaves no background to learn from: take a thin border.
            if trimap.lazy.filter({ $0 == 0 }).count < w * h / 100 { markBorder(&trimap, &fg, w, h, width: max(2, min(w, h) / 50)) }
        case let .point(px, py):
            let cx = min(w - 1, max(0, Int(Double(px) * sx))), cy = min(h - 1, max(0, Int(Double(py) * sy)))
            let side = Double(min(w, h))
            let sure = max(2.0, side * 0.02), likely = side * 0.15
            for y in 0..<h {
                for x in 0..<w {
                    let d = (Double((x - cx) * (x - cx) + (y - cy) * (y - cy))).squareRoot()
                    if d <= sure { trimap[y * w + x] = 2 }
                    fg[y * w + x] = d <= likely
                }
            }
            markBorder(&trimap, &fg, w, h, width: max(2, Int(side * 0.03)))
        }

        let colours = (0..<(w * h)).map { i in
            SIMD3<Double>(Double(work.pixels[3 * i]), Double(work.pixels[3 * i + 1]), Double(work.pixels[3 * i + 2]))
        }
        let edges = smoothness(colours, w, h)
        var fgModel: ColorModel?, bgModel: ColorModel?
        for _ in 0..<max(1, iterations) {
            let fgColours = colours.indices.filter { fg[$0] }.map { colours[$0] }
            let bgColours = colours.indices.filter { !fg[$0] }.map { colours[$0] }
            guard !fgColours.isEmpty, !bgColours.isEmpty else { break }
            fgModel = refit(fgModel, fgColours)
            bgModel = refit(bgModel, bgColours)
            guard let f = fgModel, let b = bgModel, f.count > 0, b.count > 0 else { break }

            var graph = GraphCut(nodes: w * h, edgesHint: edges.count)
            let hard = Float(1 + 8 * gamma)
            for i in 0..<(w * h) {
                switch trimap[i] {
                case 0: graph.addTerminal(i, source: 0, sink: hard)
                case 2: graph.addTerminal(i, source: hard, sink: 0)
                default: graph.addTerminal(i, source: Float(b.cost(colours[i])), sink: Float(f.cost(colours[i])))
                }
            }
            for e in edges { graph.addEdge(Int(e.a), Int(e.b), forward: e.weight, backward: e.weight) }
            graph.solve()
            var changed = 0
            for i in 0..<(w * h) where trimap[i] == 1 {
                let now = graph.isSourceSide(i)
                if now != fg[i] { changed += 1; fg[i] = now }
            }
            if changed < w * h / 2000 { break }
        }

        // Back to full size: bilinear on the 0/1 labels, cut at ½.
        let small = try Mask(width: w, height: h, values: fg.map { $0 ? 255 : 0 })
        if w == image.width && h == image.height { return small }
        let up = try small.image.resized(width: image.width, height: image.height)
        return try Mask(width: image.width, height: image.height, values: stride(from: 0, to: up.pixels.count, by: 3).map { up.pixels[$0] >= 128 ? 255 : 0 })
    }

    private static func markBorder(_ trimap: inout [UInt8], _ fg: inout [Bool], _ w: Int, _ h: Int, width b: Int) {
        for y in 0..<h {
            for x in 0..<w where x < b || y < b || x >= w - b || y >= h - b {
                trimap[y * w + x] = 0
                fg[y * w + x] = false
            }
        }
    }

    /// First fit by k-means; later fits re-assign each colour to its most likely component first.
    private static func refit(_ model: ColorModel?, _ colours: [SIMD3<Double>]) -> ColorModel {
        guard var m = model, m.count > 0 else { return ColorModel(colours: colours) }
        let labels = colours.map { m.component(of: $0) }
        m.fit(colours, labels: labels, k: m.count)
        return m
    }

    /// The 8-neighbour edges with weight γ·exp(−β‖zᵢ − zⱼ‖²)/dist, β = 1 / (2·mean ‖zᵢ − zⱼ‖²).
    private static func smoothness(_ c: [SIMD3<Double>], _ w: Int, _ h: Int) -> [(a: Int32, b: Int32, weight: Float)] {
        let offsets = [(1, 0), (0, 1), (1, 1), (-1, 1)]
        var pairs: [(Int32, Int32, Double, Double)] = []   // a, b, squared difference, 1/distance
        pairs.reserveCapacity(4 * w * h)
        var total = 0.0
        for y in 0..<h {
            for x in 0..<w {
                for (dx, dy) in offsets {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, nx < w, ny < h else { continue }
                    let a = y * w + x, b = ny * w + nx
                    let d = c[a] - c[b], dd = (d * d).sum()
                    total += dd
                    pairs.append((Int32(a), Int32(b), dd, dx != 0 && dy != 0 ? 1 / 2.0.squareRoot() : 1))
                }
            }
        }
        let beta = total > 0 ? 1 / (2 * total / Double(pairs.count)) : 0
        return pairs.map { ($0.0, $0.1, Float(gamma * $0.3 * exp(-beta * $0.2))) }
    }
}
