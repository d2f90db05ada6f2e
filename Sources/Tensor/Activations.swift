import Foundation

/// Elementwise vector arithmetic used by the transformer blocks (SwiGLU and softmax run in CKernels).
public enum Activations {
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
}
