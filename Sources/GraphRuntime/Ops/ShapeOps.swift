/// Shape operators.
public enum ShapeOps {
    public static func concat(_ parts: [GraphTensor], axis rawAxis: Int, node: String) throws -> GraphTensor {
        guard let first = parts.first else { throw GraphRuntimeError.shapeMismatch(op: "Concat", node: node, reason: "no inputs") }
        let rank = first.shape.count
        let axis = rawAxis < 0 ? rawAxis + rank : rawAxis
        guard axis >= 0, axis < rank, parts.allSatisfy({ $0.shape.count == rank }) else {
            throw GraphRuntimeError.shapeMismatch(op: "Concat", node: node, reason: "axis \(rawAxis) for shapes \(parts.map(\.shape))")
        }
        for p in parts {
            for d in 0..<rank where d != axis && p.shape[d] != first.shape[d] {
                throw GraphRuntimeError.shapeMismatch(op: "Concat", node: node, reason: "shapes \(parts.map(\.shape)) differ outside axis \(axis)")
            }
        }
        var shape = first.shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        let outer = first.shape[..<axis].reduce(1, *), inner = first.shape[(axis + 1)...].reduce(1, *)
        var data: [Float] = []
        data.reserveCapacity(shape.reduce(1, *))
        for o in 0..<outer {
            for p in parts {
                let chunk = p.shape[axis] * inner
                data += p.data[(o * chunk)..<((o + 1) * chunk)]
            }
        }
        return GraphTensor(shape: shape, data: data)
    }
}
