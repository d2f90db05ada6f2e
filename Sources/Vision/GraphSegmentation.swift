import Foundation

/// Efficient graph-based segmentation (Felzenszwalb & Huttenlocher, 2004): pixels are nodes, 8-neighbour
/// edges weigh the RGB distance, and two regions merge when the edge between them is no heavier than either
/// region's internal difference plus `k / size`. Small regions are then merged into a neighbour.
public enum GraphSegmentation {
    /// Region label per pixel `[H, W]` (0…count-1) and the number of regions.
    public struct Labels: Sendable {
        public let width, height, count: Int
        public let labels: [Int32]
    }

    /// Segments `image` (already at working size; smoothed by a 1-pixel box blur first).
    public static func segment(_ image: RGBImage, k: Double, minimumSize: Int) -> Labels {
        let w = image.width, h = image.height, n = w * h
        let smooth = image.blurred(radius: 1)
        var colour = [SIMD3<Float>](repeating: .zero, count: n)
        for i in 0..<n {
            colour[i] = SIMD3(Float(smooth.pixels[3 * i]), Float(smooth.pixels[3 * i + 1]), Float(smooth.pixels[3 * i + 2]))
        }
        // Edges to the right, down, down-right and down-left neighbours.
        var edges: [(weight: Float, a: Int32, b: Int32)] = []
        edges.reserveCapacity(4 * n)
        for y in 0..<h {
            for x in 0..<w {
                let p = y * w + x
                func add(_ q: Int) {
                    let d = colour[p] - colour[q]
                    edges.append(((d * d).sum().squareRoot(), Int32(p), Int32(q)))
                }
                if x + 1 < w { add(p + 1) }
                if y + 1 < h {
                    add(p + w)
                    if x + 1 < w { add(p + w + 1) }
                    if x > 0 { add(p + w - 1) }
                }
            }
        }
        edges.sort { $0.weight < $1.weight }
        var sets = DisjointSets(count: n)
        var threshold = [Float](repeating: Float(k), count: n)
        for e in edges {
            let a = sets.find(Int(e.a)), b = sets.find(Int(e.b))
            guard a != b, e.weight <= threshold[a], e.weight <= threshold[b] else { continue }
            let r = sets.union(a, b)
            threshold[r] = e.weight + Float(k) / Float(sets.size[r])
        }
        for e in edges {
            let a = sets.find(Int(e.a)), b = sets.find(Int(e.b))
            if a != b, sets.size[a] < minimumSize || sets.size[b] < minimumSize { _ = sets.union(a, b) }
        }
        var ids = [Int32](repeating: -1, count: n), labels = [Int32](repeating: 0, count: n), count: Int32 = 0
        for p in 0..<n {
            let r = sets.find(p)
            if ids[r] < 0 { ids[r] = count; count += 1 }
            labels[p] = ids[r]
        }
        return Labels(width: w, height: h, count: Int(count), labels: labels)
    }
}

/// Union-find with path halving and union by size.
struct DisjointSets {
    var parent: [Int]
    var size: [Int]

    init(count: Int) { parent = Array(0..<count); size = [Int](repeating: 1, count: count) }

    mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
        return x
    }

    /// Joins the sets of two roots; returns the new root.
    mutating func union(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (find(a), find(b))
        guard a != b else { return a }
        if size[a] < size[b] { swap(&a, &b) }
        parent[b] = a
        size[a] += size[b]
        return a
    }
}
