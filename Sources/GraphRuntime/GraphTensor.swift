/// A dense float tensor flowing through a graph, row-major (`[N, C, H, W]` for ONNX images). Integer
/// tensors (shapes, indices) are carried as exact floats.
public struct GraphTensor: Sendable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "GraphTensor: \(data.count) values for shape \(shape)")
        self.shape = shape
        self.data = data
    }

    public init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape
        data = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor whose values are left for the caller to write (every one of them, before any is read).
    public init(uninitializedShape shape: [Int]) {
        self.shape = shape
        let n = shape.reduce(1, *)
        data = [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
    }

    public var count: Int { data.count }
}
