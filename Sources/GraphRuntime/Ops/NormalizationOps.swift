/// BatchNormalization (inference form) on `[N, C, …]`.
public enum NormalizationOps {
    public static func batchNorm(_ x: GraphTensor, scale: GraphTensor, bias: GraphTensor, mean: GraphTensor, variance: GraphTensor,
                          epsilon: Float, node: String) throws -> GraphTensor {
        guard x.shape.count >= 2 else { throw GraphRuntimeError.shapeMismatch(op: "BatchNormalization", node: node, reason: "input \(x.shape)") }
        let c = x.shape[1]
        guard [scale, bias, mean, variance].allSatisfy({ $0.count == c }) else {
            throw GraphRuntimeError.shapeMismatch(op: "BatchNormalization", node: node, reason: "parameters are not [\(c)]")
        }
        let inner = x.shape.dropFirst(2).reduce(1, *)
        var y = x
        for b in 0..<x.shape[0] {
            for ch in 0..<c {
                let k = scale.data[ch] / (variance.data[ch] + epsilon).squareRoot()
                let off = bias.data[ch] - mean.data[ch] * k
                let base = (b * c + ch) * inner
                for i in 0..<inner { y.data[base + i] = y.data[base + i] * k + off }
            }
        }
        return y
    }
}
