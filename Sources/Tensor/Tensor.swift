/// A dense, row-major tensor of `Float` with contiguous storage.
///
/// Storage is a Swift array, so copies are copy-on-write; hot loops should use
/// `withUnsafeBufferPointer` / `withUnsafeMutableBufferPointer` to avoid per-element checks.
public struct Tensor: Sendable, Equatable {
    /// Dimensions, outermost first (e.g. `[N, C, H, W]`).
    public private(set) var shape: [Int]
    /// Elements in row-major order; `storage.count == shape.reduce(1, *)`.
    public private(set) var storage: [Float]

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) throws {
        let count = try Tensor.elementCount(shape)
        self.shape = shape
        self.storage = [Float](repeating: value, count: count)
    }

    /// A tensor over existing data; `data.count` must equal the shape's element count.
    public init(shape: [Int], data: [Float]) throws {
        let count = try Tensor.elementCount(shape)
        guard count == data.count else { throw TensorError.countMismatch(shape: shape, count: data.count) }
        self.shape = shape
        self.storage = data
    }

    /// Number of elements.
    public var count: Int { storage.count }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Row-major strides in elements.
    public var strides: [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in Swift.stride(from: shape.count - 1, through: 0, by: -1) {
            result[axis] = step
            step *= shape[axis]
        }
        return result
    }

    /// Element at a multi-dimensional index (bounds-checked; for tests and cold paths).
    public subscript(_ index: Int...) -> Float {
        get { storage[flatIndex(index)] }
        set { storage[flatIndex(index)] = newValue }
    }

    /// The same data under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        try Tensor(shape: newShape, data: storage)
    }

    /// Read-only access to the contiguous elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Mutable access to the contiguous elements.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index rank \(index.count) != tensor rank \(shape.count)")
        var flat = 0
        for (axis, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[axis], "index \(i) out of range 0..<\(shape[axis]) on axis \(axis)")
            flat = flat * shape[axis] + i
        }
        return flat
    }

    /// The element count of a shape, rejecting negative dimensions and overflow.
    public static func elementCount(_ shape: [Int]) throws -> Int {
        var count = 1
        for dim in shape {
            guard dim >= 0 else { throw TensorError.invalidShape(shape, reason: "negative dimension \(dim)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw TensorError.invalidShape(shape, reason: "element count overflows") }
            count = product
        }
        return count
    }
}

extension Tensor {
    /// Matrix product of two rank-2 tensors, `[M, K] × [K, N] → [M, N]`, through SGEMM.
    public func matmul(_ other: Tensor) throws -> Tensor {
        guard rank == 2, other.rank == 2, shape[1] == other.shape[0] else {
            throw TensorError.shapeMismatch(operation: "matmul", lhs: shape, rhs: other.shape)
        }
        let m = shape[0], k = shape[1], n = other.shape[1]
        var result = try Tensor(shape: [m, n])
        if m == 0 || n == 0 || k == 0 { return result }
        let blas = try BLAS.shared()
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                result.storage.withUnsafeMutableBufferPointer { c in
                    blas.sgemm(
                        transA: false, transB: false, m: m, n: n, k: k,
                        alpha: 1, a: a.baseAddress!, lda: max(k, 1), b: b.baseAddress!, ldb: max(n, 1),
                        beta: 0, c: c.baseAddress!, ldc: max(n, 1))
                }
            }
        }
        return result
    }
}
