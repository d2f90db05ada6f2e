import Foundation

/// A rectangle at any angle: centre, side lengths and the angle of its first side. Built as the
/// minimum-area rectangle around a set of points (convex hull + rotating calipers).
public struct RotatedRect: Sendable, Equatable {
    public var center: (x: Double, y: Double)
    /// Length along `angle`, and across it.
    public var width: Double, height: Double
    /// Radians.
    public var angle: Double

    public static func == (a: RotatedRect, b: RotatedRect) -> Bool {
        a.center == b.center && a.width == b.width && a.height == b.height && a.angle == b.angle
    }

    public var shortSide: Double { min(width, height) }
    public var area: Double { width * height }

    /// The four corners (counter-clockwise in image coordinates, starting anywhere).
    public var corners: [(x: Double, y: Double)] {
        let (c, s) = (cos(angle), sin(angle))
        let ux = (c * width / 2, s * width / 2), vx = (-s * height / 2, c * height / 2)
        return [(center.x - ux.0 - vx.0, center.y - ux.1 - vx.1), (center.x + ux.0 - vx.0, center.y + ux.1 - vx.1),
                (center.x + ux.0 + vx.0, center.y + ux.1 + vx.1), (center.x - ux.0 + vx.0, center.y - ux.1 + vx.1)]
    }

    /// The same rectangle grown by `distance` on every side.
    public func expanded(by distance: Double) -> RotatedRect {
        RotatedRect(center: center, width: width + 2 * distance, height: height + 2 * distance, angle: angle)
    }

    /// The smallest rectangle containing `points` (nil for no points).
    public static func minimumArea(of points: [(x: Double, y: Double)]) -> RotatedRect? {
        let hull = convexHull(points)
        guard let first = hull.first else { return nil }
        if hull.count == 1 { return RotatedRect(center: first, width: 0, height: 0, angle: 0) }
        var best: RotatedRect?
        for i in 0..<hull.count {
            let a = hull[i], b = hull[(i + 1) % hull.count]
            let len = hypot(b.x - a.x, b.y - a.y)
            guard len > 0 else { continue }
            let ux = (b.x - a.x) / len, uy = (b.y - a.y) / len
            var minU = Double.infinity, maxU = -Double.infinity, minV = Double.infinity, maxV = -Double.infinity
            for p in hull {
                let u = p.x * ux + p.y * uy, v = -p.x * uy + p.y * ux
                minU = min(minU, u); maxU = max(maxU, u); minV = min(minV, v); maxV = max(maxV, v)
            }
            let w = maxU - minU, h = maxV - minV
            if best == nil || w * h < best!.area - 1e-9 {
                let cu = (minU + maxU) / 2, cv = (minV + maxV) / 2
                best = RotatedRect(center: (cu * ux - cv * uy, cu * uy + cv * ux), width: w, height: h, angle: atan2(uy, ux))
            }
        }
        return best
    }

    /// Convex hull (monotone chain), counter-clockwise, no collinear points.
    static func convexHull(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        let p = points.sorted { $0.x < $1.x || ($0.x == $1.x && $0.y < $1.y) }
        guard p.count > 2 else { return p }
        func cross(_ o: (x: Double, y: Double), _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        var lower: [(x: Double, y: Double)] = [], upper: [(x: Double, y: Double)] = []
        for q in p {
            while lower.count >= 2, cross(lower[lower.count - 2], lower[lower.count - 1], q) <= 0 { lower.removeLast() }
            lower.append(q)
        }
        for q in p.reversed() {
            while upper.count >= 2, cross(upper[upper.count - 2], upper[upper.count - 1], q) <= 0 { upper.removeLast() }
            upper.append(q)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }
}
