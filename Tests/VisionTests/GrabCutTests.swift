import Foundation
import TestSupport
import Testing
import Vision

/// The max-flow solver against a naive Edmonds–Karp on random graphs, and GrabCut on synthetic scenes with a
/// known answer (a disc on a textured background) from a box and from a point.
@Suite struct GrabCutTests {
    /// Edmonds–Karp on a dense capacity matrix; node n is the source, n+1 the sink.
    static func naiveMaxFlow(_ cap: [[Double]], source s: Int, sink t: Int) -> Double {
        var r = cap, flow = 0.0
        let n = cap.count
        while true {
            var prev = [Int](repeating: -1, count: n)
            prev[s] = s
            var queue = [s], head = 0
            while head < queue.count, prev[t] < 0 {
                let u = queue[head]; head += 1
                for v in 0..<n where prev[v] < 0 && r[u][v] > 1e-9 { prev[v] = u; queue.append(v) }
            }
            guard prev[t] >= 0 else { return flow }
            var b = Double.infinity, v = t
            while v != s { b = min(b, r[prev[v]][v]); v = prev[v] }
            v = t
            while v != s { r[prev[v]][v] -= b; r[v][prev[v]] += b; v = prev[v] }
            flow += b
        }
    }

    @Test func maxFlowMatchesEdmondsKarpAndTheCutIsMinimal() {
        var rng = SplitMix(seed: 7)
        for trial in 0..<200 {
            let n = 2 + Int(rng.next() % 30)
            var cap = [[Double]](repeating: [Double](repeating: 0, count: n + 2), count: n + 2)
            var g = GraphCut(nodes: n)
            for i in 0..<n {
                let s = rng.next() % 3 == 0 ? Double(rng.next() % 20) : 0, t = rng.next() % 3 == 0 ? Double(rng.next() % 20) : 0
                g.addTerminal(i, source: Float(s), sink: Float(t))
                cap[n][i] += s; cap[i][n + 1] += t
            }
            for _ in 0..<(n * 3) {
                let a = Int(rng.next() % UInt64(n)), b = Int(rng.next() % UInt64(n))
                guard a != b else { continue }
                let f = Double(rng.next() % 10), r = Double(rng.next() % 10)
                g.addEdge(a, b, forward: Float(f), backward: Float(r))
                cap[a][b] += f; cap[b][a] += r
            }
            g.solve()
            let expected = Self.naiveMaxFlow(cap, source: n, sink: n + 1)
            #expect(abs(g.flow - expected) < 1e-3, "trial \(trial): \(g.flow) vs \(expected)")
            // The cut given by isSourceSide has exactly the capacity of the maximum flow.
            let side = (0..<n).map { g.isSourceSide($0) } + [true, false]
            var cut = 0.0
            for u in 0..<(n + 2) { for v in 0..<(n + 2) where side[u] && !side[v] { cut += cap[u][v] } }
            #expect(abs(cut - expected) < 1e-3, "trial \(trial): cut \(cut) vs flow \(expected)")
        }
    }

    /// A red disc of radius 45 at (120, 90) on a 240×180 blue-green texture with noise.
    static func scene() throws -> (RGBImage, [Bool]) {
        var rng = SplitMix(seed: 3)
        let w = 240, h = 180
        var pixels = [UInt8](repeating: 0, count: w * h * 3), truth = [Bool](repeating: false, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let inside = (x - 120) * (x - 120) + (y - 90) * (y - 90) <= 45 * 45
                truth[y * w + x] = inside
                let n = Int(rng.next() % 40) - 20
                let stripe = (x / 12 + y / 12) % 2 == 0 ? 30 : 0
                let c = inside ? (200 + n, 40 + n / 2, 50 + n / 2) : (40 + n + stripe, 120 + n, 140 + n - stripe)
                pixels[3 * (y * w + x)] = UInt8(clamping: c.0)
                pixels[3 * (y * w + x) + 1] = UInt8(clamping: c.1)
                pixels[3 * (y * w + x) + 2] = UInt8(clamping: c.2)
            }
        }
        return (try RGBImage(width: w, height: h, pixels: pixels), truth)
    }

    static func iou(_ m: Mask, _ truth: [Bool]) -> Double {
        var inter = 0, union = 0
        for (i, t) in truth.enumerated() {
            let p = m.values[i] >= 128
            if p && t { inter += 1 }
            if p || t { union += 1 }
        }
        return Double(inter) / Double(max(1, union))
    }

    @Test func boxSeedFindsTheDisc() throws {
        let (image, truth) = try Self.scene()
        let mask = try GrabCut.segment(image, seed: .box(PixelBox(x0: 60, y0: 30, x1: 180, y1: 150)))
        #expect(Self.iou(mask, truth) > 0.93, "IoU \(Self.iou(mask, truth))")
    }

    @Test func pointSeedFindsTheDisc() throws {
        let (image, truth) = try Self.scene()
        let mask = try GrabCut.segment(image, seed: .point(x: 125, y: 95))
        #expect(Self.iou(mask, truth) > 0.9, "IoU \(Self.iou(mask, truth))")
    }

    @Test func workingCopyIsScaledBack() throws {
        let (image, truth) = try Self.scene()
        let mask = try GrabCut.segment(image, seed: .box(PixelBox(x0: 60, y0: 30, x1: 180, y1: 150)), workingPixels: 8_000)
        #expect(mask.width == image.width && mask.height == image.height)
        #expect(Self.iou(mask, truth) > 0.85, "IoU \(Self.iou(mask, truth))")
        #expect(throws: VisionError.self) { try GrabCut.segment(image, seed: .box(PixelBox(x0: 10, y0: 10, x1: 11, y1: 11))) }
    }
}
