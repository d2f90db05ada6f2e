import Tensor

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

extension ShapeOps {
    /// ONNX Slice (inputs starts, ends, axes, steps); indices clamped as the spec says.
    public static func slice(_ x: GraphTensor, starts: GraphTensor, ends: GraphTensor, axes: GraphTensor?, steps: GraphTensor?,
                             node: String) throws -> GraphTensor {
        let rank = x.shape.count
        let count = starts.count
        let axisList = axes?.data.map { Int($0) } ?? Array(0..<count)
        let stepList = steps?.data.map { Int($0) } ?? [Int](repeating: 1, count: count)
        guard ends.count == count, axisList.count == count, stepList.count == count, stepList.allSatisfy({ $0 != 0 }) else {
            throw GraphRuntimeError.invalidAttribute(op: "Slice", node: node, reason: "starts/ends/axes/steps lengths differ or a step is 0")
        }
        var begin = [Int](repeating: 0, count: rank), step = [Int](repeating: 1, count: rank), size = x.shape
        for i in 0..<count {
            let a = try ReductionOps.normalize(axisList[i], rank: rank, op: "Slice", node: node)
            let dim = x.shape[a], st = stepList[i]
            func clampIndex(_ raw: Float, forEnd: Bool) -> Int {
                var v = raw >= Float(Int32.max) ? Int(Int32.max) : raw <= Float(Int32.min) ? Int(Int32.min) : Int(raw)
                if v < 0 { v += dim }
                if st > 0 { return min(max(v, 0), dim) }
                return forEnd ? min(max(v, -1), dim - 1) : min(max(v, 0), dim - 1)
            }
            let s = clampIndex(starts.data[i], forEnd: false), e = clampIndex(ends.data[i], forEnd: true)
            begin[a] = s
            step[a] = st
            size[a] = st > 0 ? max(0, (e - s + st - 1) / st) : max(0, (s - e - st - 1) / -st)
        }
        var y = GraphTensor(uninitializedShape: size)
        guard y.count > 0 else { return y }
        let inStrides = ElementwiseOps.broadcastStrides(x.shape, to: x.shape)
        let base = (0..<rank).reduce(0) { $0 + begin[$1] * inStrides[$1] }
        let strides = (0..<rank).map { step[$0] * inStrides[$0] }
        x.data.withUnsafeBufferPointer { xp in
            y.data.withUnsafeMutableBufferPointer { StridedCopy.gather(xp.baseAddress! + base, strides: strides, shape: size, into: $0.baseAddress!) }
        }
        return y
    }

    /// Reshape with ONNX rules: 0 copies the input dimension (unless `allowZero`), -1 is inferred.
    public static func reshape(_ x: GraphTensor, shape: GraphTensor, allowZero: Bool, node: String) throws -> GraphTensor {
        var dims = shape.data.map { Int($0) }
        for (i, d) in dims.enumerated() where d == 0 && !allowZero {
            guard i < x.shape.count else { throw GraphRuntimeError.shapeMismatch(op: "Reshape", node: node, reason: "0 at \(i) for rank \(x.shape.count)") }
            dims[i] = x.shape[i]
        }
        let known = dims.filter { $0 != -1 }.reduce(1, *)
        if let i = dims.firstIndex(of: -1) {
            guard known > 0, x.count % known == 0 else { throw GraphRuntimeError.shapeMismatch(op: "Reshape", node: node, reason: "\(x.shape) → \(dims)") }
            dims[i] = x.count / known
        }
        guard dims.allSatisfy({ $0 >= 0 }), dims.reduce(1, *) == x.count else {
            throw GraphRuntimeError.shapeMismatch(op: "Reshape", node: node, reason: "\(x.shape) cannot become \(dims)")
        }
        return GraphTensor(shape: dims, data: x.data)
    }

    public static func transpose(_ x: GraphTensor, perm: [Int]?, node: String) throws -> GraphTensor {
        let rank = x.shape.count
        let p = perm ?? Array((0..<rank).reversed())
        guard p.count == rank, Set(p) == Set(0..<rank) else {
            throw GraphRuntimeError.invalidAttribute(op: "Transpose", node: node, reason: "perm \(p) for rank \(rank)")
        }
        let outShape = p.map { x.shape[$0] }
        let inStrides = ElementwiseOps.broadcastStrides(x.shape, to: x.shape)
        let strides = p.map { inStrides[$0] }
        var y = GraphTensor(uninitializedShape: outShape)
        guard y.count > 0 else { return y }
        x.data.withUnsafeBufferPointer { xp in
            y.data.withUnsafeMutableBufferPointer { StridedCopy.gather(xp.baseAddress!, strides: strides, shape: outShape, into: $0.baseAddress!) }
        }
        return y
    }

    public static func squeeze(_ x: GraphTensor, axes: [Int]?, node: String) throws -> GraphTensor {
        let rank = x.shape.count
        let drop = Set(try (axes ?? x.shape.indices.filter { x.shape[$0] == 1 }).map {
            try ReductionOps.normalize($0, rank: rank, op: "Squeeze", node: node)
        })
        guard drop.allSatisfy({ x.shape[$0] == 1 }) else {
            throw GraphRuntimeError.shapeMismatch(op: "Squeeze", node: node, reason: "axes \(axes ?? []) of \(x.shape) are not 1")
        }
        return GraphTensor(shape: x.shape.enumerated().filter { !drop.contains($0.offset) }.map(\.element), data: x.data)
    }

    public static func unsqueeze(_ x: GraphTensor, axes: [Int], node: String) throws -> GraphTensor {
        let rank = x.shape.count + axes.count
        let add = Set(try axes.map { try ReductionOps.normalize($0, rank: rank, op: "Unsqueeze", node: node) })
        var shape: [Int] = []
        var it = x.shape.makeIterator()
        for d in 0..<rank { shape.append(add.contains(d) ? 1 : it.next() ?? 1) }
        return GraphTensor(shape: shape, data: x.data)
    }
}

extension ShapeOps {
    /// Zero padding; `pads` = begin counts for every dimension, then end counts (ONNX order).
    public static func pad(_ x: GraphTensor, pads: [Int], node: String) throws -> GraphTensor {
        let rank = x.shape.count
        guard pads.count == 2 * rank, pads.allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }) else {
            throw GraphRuntimeError.invalidAttribute(op: "Pad", node: node, reason: "pads \(pads) for rank \(rank)")
        }
        let outShape = (0..<rank).map { x.shape[$0] + pads[$0] + pads[$0 + rank] }
        var y = GraphTensor(shape: outShape)
        let outStrides = ElementwiseOps.broadcastStrides(outShape, to: outShape)
        var index = [Int](repeating: 0, count: rank)
        for v in x.data {
            var o = 0
            for d in 0..<rank { o += (index[d] + pads[d]) * outStrides[d] }
            y.data[o] = v
            IndexCounter.advance(&index, in: x.shape)
        }
        return y
    }
}
