import Foundation
import Vision

/// Text boxes from a DB probability map (PP-OCR's post-processing): threshold, 2×2 dilation, connected
/// regions, minimum-area rectangle of each, mean probability inside it ("fast" score), "unclip" expansion
/// by area × ratio / perimeter, a second rectangle, and scaling to the original image.
public struct DBPostProcessor: Sendable {
    public var threshold: Float = 0.3
    public var boxThreshold: Double = 0.5
    public var unclipRatio: Double = 1.6
    public var minSize: Double = 3
    public var maxCandidates = 1000

    public init() {}

    /// Boxes (4 corners: top-left, top-right, bottom-right, bottom-left) in the original image's pixels.
    public func boxes(map: [Float], width w: Int, height h: Int, imageWidth: Int, imageHeight: Int) -> [[(x: Double, y: Double)]] {
        guard w > 0, h > 0, map.count == w * h else { return [] }
        // Threshold, then dilate with a 2×2 kernel anchored at (1, 1).
        var on = [Bool](repeating: false, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                var v = map[y * w + x] > threshold
                if !v, x > 0 { v = map[y * w + x - 1] > threshold }
                if !v, y > 0 { v = map[(y - 1) * w + x] > threshold || (x > 0 && map[(y - 1) * w + x - 1] > threshold) }
                on[y * w + x] = v
            }
        }
        var label = [Int32](repeating: 0, count: w * h)
        var boxes: [[(x: Double, y: Double)]] = []
        var next: Int32 = 0
        var stack: [Int] = []
        for start in 0..<(w * h) where on[start] && label[start] == 0 {
            next += 1
            guard next <= maxCandidates else { break }
            // Flood fill (4-connected, like OpenCV's contour following on the outer boundary); keep boundary pixels.
            var boundary: [(x: Double, y: Double)] = []
            label[start] = next
            stack.append(start)
            while let i = stack.popLast() {
                let x = i % w, y = i / w
                var edge = false
                for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)] {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, nx < w, ny >= 0, ny < h, on[ny * w + nx] else { edge = true; continue }
                    let n = ny * w + nx
                    if label[n] == 0 { label[n] = next; stack.append(n) }
                }
                if edge { boundary.append((Double(x), Double(y))) }
            }
            guard let rect = RotatedRect.minimumArea(of: boundary), rect.shortSide >= minSize else { continue }
            let corners = Self.ordered(rect.corners)
            guard score(map, w, h, corners) >= boxThreshold else { continue }
            let perimeter = 2 * (rect.width + rect.height)
            guard perimeter > 0 else { continue }
            let grown = rect.expanded(by: rect.area * unclipRatio / perimeter)
            guard grown.shortSide >= minSize + 2 else { continue }
            let sx = Double(imageWidth) / Double(w), sy = Double(imageHeight) / Double(h)
            let scaled = Self.ordered(grown.corners).map { p in
                (x: min(max((p.x * sx).rounded(), 0), Double(imageWidth)), y: min(max((p.y * sy).rounded(), 0), Double(imageHeight)))
            }
            let bw = hypot(scaled[1].x - scaled[0].x, scaled[1].y - scaled[0].y), bh = hypot(scaled[3].x - scaled[0].x, scaled[3].y - scaled[0].y)
            guard bw > 3, bh > 3 else { continue }
            boxes.append(scaled)
        }
        return Self.readingOrder(boxes)
    }

    /// Corners as top-left, top-right, bottom-right, bottom-left (PP-OCR's ordering of a rectangle).
    static func ordered(_ p: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        let s = p.sorted { $0.x < $1.x }
        let (tl, bl) = s[1].y > s[0].y ? (s[0], s[1]) : (s[1], s[0])
        let (tr, br) = s[3].y > s[2].y ? (s[2], s[3]) : (s[3], s[2])
        return [tl, tr, br, bl]
    }

    /// Mean probability inside the box (its pixels within its bounding rectangle).
    func score(_ map: [Float], _ w: Int, _ h: Int, _ box: [(x: Double, y: Double)]) -> Double {
        let xmin = max(0, min(w - 1, Int(box.map(\.x).min()!.rounded(.down)))), xmax = max(0, min(w - 1, Int(box.map(\.x).max()!.rounded(.up))))
        let ymin = max(0, min(h - 1, Int(box.map(\.y).min()!.rounded(.down)))), ymax = max(0, min(h - 1, Int(box.map(\.y).max()!.rounded(.up))))
        var sum = 0.0, count = 0
        for y in ymin...ymax {
            for x in xmin...xmax where Self.inside(Double(x), Double(y), box) {
                sum += Double(map[y * w + x])
                count += 1
            }
        }
        return count > 0 ? sum / Double(count) : 0
    }

    static func inside(_ x: Double, _ y: Double, _ poly: [(x: Double, y: Double)]) -> Bool {
        var sign = 0.0
        for i in 0..<poly.count {
            let a = poly[i], b = poly[(i + 1) % poly.count]
            let c = (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x)
            if abs(c) < 1e-9 { continue }
            if sign == 0 { sign = c } else if (c > 0) != (sign > 0) { return false }
        }
        return true
    }

    /// Top to bottom, then left to right for boxes whose tops are within 10 px.
    public static func readingOrder(_ boxes: [[(x: Double, y: Double)]]) -> [[(x: Double, y: Double)]] {
        var b = boxes.sorted { ($0[0].y, $0[0].x) < ($1[0].y, $1[0].x) }
        guard b.count > 1 else { return b }
        for i in 0..<(b.count - 1) {
            var j = i
            while j >= 0, abs(b[j + 1][0].y - b[j][0].y) < 10, b[j + 1][0].x < b[j][0].x {
                b.swapAt(j, j + 1)
                j -= 1
            }
        }
        return b
    }
}
