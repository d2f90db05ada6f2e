import Foundation

/// Class-agnostic object proposals by selective search (Uijlings et al., 2013): graph-based segments of the
/// image at a working size, merged greedily by colour, size and fill similarity; every region made on the
/// way is a candidate box. Used with a classifier to find many instances of a class with real boxes.
public enum RegionProposals {
    /// Settings (data under `skills/`): the working size and the segmentation scales.
    public struct Settings: Sendable, Codable {
        /// Longer side of the working image.
        public var workingSide: Int
        /// Felzenszwalb `k` per run (larger: fewer, bigger first regions).
        public var scales: [Double]
        /// Smallest first region, in working pixels.
        public var minimumRegion: Int
        /// Smallest box side kept, as a fraction of the image's longer side.
        public var minimumSide: Double
        public init(workingSide: Int, scales: [Double], minimumRegion: Int, minimumSide: Double) {
            (self.workingSide, self.scales, self.minimumRegion, self.minimumSide) = (workingSide, scales, minimumRegion, minimumSide)
        }
    }

    private struct Region {
        var box: (x0: Int, y0: Int, x1: Int, y1: Int)
        var size: Int
        var histogram: [Float]  // 3 × 25 bins, L1-normalised
        var neighbours: Set<Int>
        var alive = true
    }

    /// Candidate boxes `[x0, y0, x1, y1]` normalised to 0…1, without duplicates, the whole image included.
    public static func boxes(_ image: RGBImage, settings: Settings) throws -> [[Double]] {
        let work = try image.fitted(within: max(32, settings.workingSide))
        var out: [[Double]] = [[0, 0, 1, 1]]
        var seen = Set<[Int]>()
        let side = settings.minimumSide * Double(max(work.width, work.height))
        for k in settings.scales {
            for box in grouped(work, GraphSegmentation.segment(work, k: k, minimumSize: settings.minimumRegion)) {
                guard Double(box.x1 - box.x0) >= side || Double(box.y1 - box.y0) >= side else { continue }
                let key = [box.x0, box.y0, box.x1, box.y1]
                guard seen.insert(key).inserted else { continue }
                out.append([Double(box.x0) / Double(work.width), Double(box.y0) / Double(work.height),
                            Double(box.x1) / Double(work.width), Double(box.y1) / Double(work.height)])
            }
        }
        return out
    }

    /// Hierarchical grouping: returns the box of every first region and of every merge.
    private static func grouped(_ image: RGBImage, _ seg: GraphSegmentation.Labels) -> [(x0: Int, y0: Int, x1: Int, y1: Int)] {
        let w = seg.width, h = seg.height, total = Float(w * h)
        var regions = (0..<seg.count).map { _ in Region(box: (Int.max, Int.max, 0, 0), size: 0, histogram: [Float](repeating: 0, count: 75), neighbours: []) }
        for y in 0..<h {
            for x in 0..<w {
                let p = y * w + x, r = Int(seg.labels[p])
                regions[r].box = (min(regions[r].box.x0, x), min(regions[r].box.y0, y), max(regions[r].box.x1, x + 1), max(regions[r].box.y1, y + 1))
                regions[r].size += 1
                for c in 0..<3 { regions[r].histogram[c * 25 + min(24, Int(image.pixels[3 * p + c]) * 25 / 256)] += 1 }
                if x + 1 < w, seg.labels[p + 1] != seg.labels[p] { link(&regions, r, Int(seg.labels[p + 1])) }
                if y + 1 < h, seg.labels[p + w] != seg.labels[p] { link(&regions, r, Int(seg.labels[p + w])) }
            }
        }
        for i in regions.indices { let s = Float(3 * max(1, regions[i].size)); regions[i].histogram = regions[i].histogram.map { $0 / s } }
        func similarity(_ a: Region, _ b: Region) -> Float {
            var colour: Float = 0
            for i in 0..<75 { colour += min(a.histogram[i], b.histogram[i]) }
            let size = 1 - Float(a.size + b.size) / total
            let bw = max(a.box.x1, b.box.x1) - min(a.box.x0, b.box.x0), bh = max(a.box.y1, b.box.y1) - min(a.box.y0, b.box.y0)
            let fill = 1 - (Float(bw * bh) - Float(a.size + b.size)) / total
            return colour + size + fill
        }
        var pairs: [Int: [Int: Float]] = [:]
        for i in regions.indices { for j in regions[i].neighbours where j > i { pairs[i, default: [:]][j] = similarity(regions[i], regions[j]) } }
        var out = regions.map(\.box)
        // Guard against pathological inputs: at most 2,000 merges.
        for _ in 0..<min(2000, max(0, regions.count - 1)) {
            var best: (Int, Int, Float)?
            for (i, row) in pairs { for (j, s) in row where best == nil || s > best!.2 { best = (i, j, s) } }
            guard let (i, j, _) = best else { break }
            let a = regions[i], b = regions[j]
            var merged = Region(box: (min(a.box.x0, b.box.x0), min(a.box.y0, b.box.y0), max(a.box.x1, b.box.x1), max(a.box.y1, b.box.y1)),
                                size: a.size + b.size, histogram: [], neighbours: a.neighbours.union(b.neighbours).subtracting([i, j]))
            merged.histogram = (0..<75).map { (a.histogram[$0] * Float(a.size) + b.histogram[$0] * Float(b.size)) / Float(merged.size) }
            let m = regions.count
            regions[i].alive = false
            regions[j].alive = false
            regions.append(merged)
            out.append(merged.box)
            pairs[i] = nil
            pairs[j] = nil
            for n in merged.neighbours {
                regions[n].neighbours.subtract([i, j])
                regions[n].neighbours.insert(m)
                pairs[n]?[i] = nil
                pairs[n]?[j] = nil
                pairs[n, default: [:]][m] = similarity(regions[n], merged)
            }
        }
        return out
    }

    private static func link(_ regions: inout [Region], _ a: Int, _ b: Int) {
        regions[a].neighbours.insert(b)
        regions[b].neighbours.insert(a)
    }
}
