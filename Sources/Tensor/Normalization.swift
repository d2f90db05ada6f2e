import Foundation

/// RMS normalisation: `y = x / sqrt(mean(x²) + eps) · weight`.
public enum Normalization {
    /// Normalises `rows` rows of `n` values in place, `x` being `[rows, n]`, with `weight` `[n]`.
    public static func rmsNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, weight: UnsafePointer<Float>, eps: Float) {
        for r in 0..<rows {
            let row = x + r * n
            var sum: Float = 0
            for i in 0..<n { sum += row[i] * row[i] }
            let scale = 1 / (sum / Float(n) + eps).squareRoot()
            for i in 0..<n { row[i] = row[i] * scale * weight[i] }
        }
    }

    /// Writes the normalised `x` (`[rows, n]`) into `y` without changing `x`.
    public static func rmsNorm(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, n: Int,
                               weight: UnsafePointer<Float>, eps: Float) {
        y.update(from: x, count: rows * n)
        rmsNorm(y, rows: rows, n: n, weight: weight, eps: eps)
    }
}
