import Foundation

/// Elementwise activation functions and vector arithmetic used by the transformer blocks.
public enum Activations {
    /// `gate[i] = silu(gate[i]) · up[i]` (SwiGLU), for `n` values.
    public static func swiglu(_ gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// `x[i] += y[i]`.
    public static func add(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n { x[i] += y[i] }
    }

    /// Adds `bias` (`[n]`) to each of `rows` rows of `x` (`[rows, n]`).
    public static func addBias(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, n: Int) {
        for r in 0..<rows {
            let row = x + r * n
            for i in 0..<n { row[i] += bias[i] }
        }
    }

    /// Softmax of `n` values in place; returns nothing. Entries equal to -inf get probability 0.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        var m = -Float.infinity
        for i in 0..<n where x[i] > m { m = x[i] }
        var sum: Float = 0
        for i in 0..<n {
            let e = expf(x[i] - m)
            x[i] = e
            sum += e
        }
        let inv = 1 / sum
        for i in 0..<n { x[i] *= inv }
    }
}
