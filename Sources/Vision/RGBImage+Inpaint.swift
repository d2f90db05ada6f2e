import Tensor

/// Inpainting by fast marching, after Telea (2004): the pixels under the mask are filled in order of their
/// distance from the known region (a Dijkstra march over 8-neighbours), each as the average of the known and
/// already filled pixels within `radius`, weighted by inverse squared distance and by how close their arrival
/// times are (Telea's distance and level-set factors; his gradient-direction term is left out).
extension RGBImage {
    public func inpainted(mask: Mask, radius: Int = 5) throws -> RGBImage {
        guard mask.width == width, mask.height == height else {
            throw VisionError.invalidArgument(operation: "inpaint", reason: "mask \(mask.width)×\(mask.height) for image \(width)×\(height)")
        }
        let n = pixelCount, w = width, h = height, r = max(1, min(radius, 32))
        var known = mask.values.map { $0 < 128 }
        guard known.contains(true) else { throw VisionError.invalidArgument(operation: "inpaint", reason: "the mask covers the whole image") }
        var time = [Float](repeating: .infinity, count: n)
        var heap = BinaryHeap<MarchPoint>()
        for i in 0..<n where known[i] { time[i] = 0 }
        // Seed: unknown pixels next to known ones.
        for i in 0..<n where !known[i] {
            let x = i % w, y = i / w
            var best = Float.infinity
            for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 {
                let nx = x + dx, ny = y + dy
                guard nx >= 0, nx < w, ny >= 0, ny < h, known[ny * w + nx] else { continue }
                best = min(best, dx != 0 && dy != 0 ? 1.4142135 : 1)
            } }
            if best.isFinite { time[i] = best; heap.push(MarchPoint(time: best, pixel: i)) }
        }
        var out = pixels
        var done = known
        while let point = heap.pop() {
            let (t, i) = (point.time, point.pixel)
            if done[i] || t > time[i] { continue }
            let x = i % w, y = i / w
            var acc: (Float, Float, Float) = (0, 0, 0), total: Float = 0
            for dy in -r...r {
                let ny = y + dy
                guard ny >= 0, ny < h else { continue }
                for dx in -r...r {
                    let nx = x + dx, q = ny * w + nx
                    guard nx >= 0, nx < w, done[q], dx * dx + dy * dy <= r * r, dx != 0 || dy != 0 else { continue }
                    let d2 = Float(dx * dx + dy * dy)
                    let weight = (1 / d2) * (1 / (1 + abs(time[q] - t)))
                    acc.0 += weight * Float(out[3 * q]); acc.1 += weight * Float(out[3 * q + 1]); acc.2 += weight * Float(out[3 * q + 2])
                    total += weight
                }
            }
            if total > 0 {
                out[3 * i] = UInt8(min(255, (acc.0 / total).rounded()))
                out[3 * i + 1] = UInt8(min(255, (acc.1 / total).rounded()))
                out[3 * i + 2] = UInt8(min(255, (acc.2 / total).rounded()))
            }
            done[i] = true
            known[i] = true
            for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 {
                let nx = x + dx, ny = y + dy
                guard nx >= 0, nx < w, ny >= 0, ny < h else { continue }
                let q = ny * w + nx
                guard !done[q] else { continue }
                let nt = t + (dx != 0 && dy != 0 ? 1.4142135 : 1)
                if nt < time[q] { time[q] = nt; heap.push(MarchPoint(time: nt, pixel: q)) }
            } }
        }
        return try RGBImage(width: w, height: h, pixels: out, alpha: alpha)
    }
}

/// A pixel reached by the march at `time`; the heap orders by time.
struct MarchPoint: Comparable {
    let time: Float
    let pixel: Int
    static func < (a: MarchPoint, b: MarchPoint) -> Bool { a.time < b.time }
}
