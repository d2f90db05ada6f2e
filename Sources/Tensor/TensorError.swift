/// Errors raised by the Tensor module: shape mismatches and BLAS loading problems.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// The element count does not match the product of the shape.
    case countMismatch(shape: [Int], count: Int)
    /// A dimension is negative, or the shape's element count overflows.
    case invalidShape([Int], reason: String)
    /// Two operands' shapes cannot be combined by the operation.
    case shapeMismatch(operation: String, lhs: [Int], rhs: [Int])
    /// OpenBLAS could not be loaded or lacks a symbol.
    case blasUnavailable(String)
    /// A kernel's scratch buffer could not be allocated.
    case outOfMemory(String)
    /// A convolution's geometry is impossible (e.g. an empty output).
    case invalidConvolution(String)

    public var description: String {
        switch self {
        case let .countMismatch(shape, count):
            return "tensor data has \(count) elements but shape \(shape) needs \(shape.reduce(1, *))"
        case let .invalidShape(shape, reason):
            return "invalid tensor shape \(shape): \(reason)"
        case let .shapeMismatch(operation, lhs, rhs):
            return "\(operation): shapes \(lhs) and \(rhs) do not fit together"
        case let .blasUnavailable(reason):
            return "OpenBLAS is unavailable: \(reason) (install it with `apt-get install libopenblas0-pthread`, or run scripts/setup)"
        case let .outOfMemory(what):
            return "out of memory allocating \(what)"
        case let .invalidConvolution(reason):
            return "invalid convolution: \(reason)"
        }
    }
}
