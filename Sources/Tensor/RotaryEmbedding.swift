import Foundation

/// Rotary position embedding (RoPE) in the two layouts GGUF models use.
public struct RotaryEmbedding: Sendable {
    /// How dimensions are paired for rotation.
    public enum Style: Sendable {
        /// Adjacent pairs `(2i, 2i+1)` (ggml "NORM"; llama-family GGUFs, whose Q/K rows the converter permuted).
        case adjacent
        /// Halves `(i, i + d/2)` (ggml "NEOX", the rotate-half form; Qwen2).
        case halves
    }

    public let style: Style
    /// Rotated dimensions per head.
    public let dimensions: Int
    /// Inverse frequencies `base^(-2i/d)`, `[d/2]`.
    private let inverseFrequencies: [Float]

    public init(style: Style, dimensions: Int, base: Float) {
        self.style = style
        self.dimensions = dimensions
        let half = dimensions / 2
        var freqs = [Float](repeating: 0, count: half)
        let step = powf(base, -2 / Float(dimensions))
        var theta: Float = 1
        for i in 0..<half {
            freqs[i] = theta
            theta *= step
        }
        inverseFrequencies = freqs
    }

    /// cos and sin tables for `positions`: each `[positions.count, d/2]`.
    public func tables(positions: Range<Int>) -> (cos: [Float], sin: [Float]) {
        let half = dimensions / 2
        var c = [Float](repeating: 0, count: positions.count * half)
        var s = c
        for (row, p) in positions.enumerated() {
            for i in 0..<half {
                let angle = Float(p) * inverseFrequencies[i]
                c[row * half + i] = cosf(angle)
                s[row * half + i] = sinf(angle)
            }
        }
        return (c, s)
    }

    /// Rotates `heads` heads of one token in place (`x` is `[heads, headDim]`, the first `d` of each rotated),
    /// using row `row` of the tables.
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, cos: UnsafePointer<Float>,
                      sin: UnsafePointer<Float>) {
        let half = dimensions / 2
        for h in 0..<heads {
            let v = x + h * headDim
            switch style {
            case .adjacent:
                for i in 0..<half {
                    let a = v[2 * i], b = v[2 * i + 1]
                    v[2 * i] = a * cos[i] - b * sin[i]
                    v[2 * i + 1] = a * sin[i] + b * cos[i]
                }
            case .halves:
                for i in 0..<half {
                    let a = v[i], b = v[i + half]
                    v[i] = a * cos[i] - b * sin[i]
                    v[i + half] = a * sin[i] + b * cos[i]
                }
            }
        }
    }
}
