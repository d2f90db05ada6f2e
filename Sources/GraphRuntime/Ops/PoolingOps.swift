/// Pooling operators.
public enum PoolingOps {
    /// `[N, C, H, W] → [N, C, 1, 1]`.
    public static func globalAverage(_ x: GraphTensor, node: String) throws -> GraphTensor {
        guard x.shape.count == 4 else { throw GraphRuntimeError.shapeMismatch(op: "GlobalAveragePool", node: node, reason: "input \(x.shape)") }
        let (n, c, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var y = GraphTensor(shape: [n, c, 1, 1])
        for i in 0..<(n * c) {
            var s: Float = 0
            for j in 0..<hw { s += x.data[i * hw + j] }
            y.data[i] = s / Float(hw)
        }
        return y
    }
}
