import Foundation

extension RGBImage {
    /// The quadrilateral `quad` (top-left, top-right, bottom-right, bottom-left, in pixels) mapped onto a
    /// `width × height` image by a perspective transform, sampled bilinearly, edges replicated.
    public func warped(quad: [(x: Double, y: Double)], width w: Int, height h: Int) throws -> RGBImage {
        guard quad.count == 4, w > 0, h > 0, w <= 16384, h <= 16384 else {
            throw VisionError.invalidArgument(operation: "warp", reason: "needs 4 corners and a size of 1…16384")
        }
        // Homography from the output rectangle to the quad: solve the 8 unknowns.
        let dst = [(0.0, 0.0), (Double(w), 0.0), (Double(w), Double(h)), (0.0, Double(h))]
        var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for i in 0..<4 {
            let (u, v) = dst[i], (x, y) = (quad[i].x, quad[i].y)
            a[2 * i] = [u, v, 1, 0, 0, 0, -u * x, -v * x, x]
            a[2 * i + 1] = [0, 0, 0, u, v, 1, -u * y, -v * y, y]
        }
        for col in 0..<8 {  // Gaussian elimination with partial pivoting
            let pivot = (col..<8).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            a.swapAt(col, pivot)
            guard abs(a[col][col]) > 1e-12 else { throw VisionError.invalidArgument(operation: "warp", reason: "degenerate corners") }
            for r in 0..<8 where r != col {
                let f = a[r][col] / a[col][col]
                for k in col..<9 { a[r][k] -= f * a[col][k] }
            }
        }
        let m = (0..<8).map { a[$0][8] / a[$0][$0] } + [1]
        var out = try RGBImage(width: w, height: h)
        for v in 0..<h {
            for u in 0..<w {
                let (fu, fv) = (Double(u), Double(v))
                let z = m[6] * fu + m[7] * fv + m[8]
                let sx = min(max((m[0] * fu + m[1] * fv + m[2]) / z, 0), Double(width - 1))
                let sy = min(max((m[3] * fu + m[4] * fv + m[5]) / z, 0), Double(height - 1))
                let x0 = Int(sx), y0 = Int(sy), x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
                let dx = sx - Double(x0), dy = sy - Double(y0)
                for c in 0..<3 {
                    func p(_ x: Int, _ y: Int) -> Double { Double(pixels[(y * width + x) * 3 + c]) }
                    let value = (p(x0, y0) * (1 - dx) + p(x1, y0) * dx) * (1 - dy) + (p(x0, y1) * (1 - dx) + p(x1, y1) * dx) * dy
                    out.pixels[(v * w + u) * 3 + c] = UInt8(min(max(value.rounded(), 0), 255))
                }
            }
        }
        return out
    }
}
