import CKernels

/// A read-only weight matrix `[rows, cols]` kept in its file's block format (usually inside a memory map):
/// each row is `rowBytes` bytes of `type` blocks. Products work on the blocks directly; nothing is
/// dequantized whole.
public struct QuantizedMatrix: @unchecked Sendable {
    public let type: GGMLType
    /// Output features (rows).
    public let rows: Int
    /// Input features per row (a multiple of the type's block size).
    public let cols: Int
    /// Bytes per row.
    public let rowBytes: Int
    /// Start of row 0. Valid while `owner` lives.
    public let data: UnsafeRawPointer
    /// Keeps the storage (e.g. the memory map) alive.
    public let owner: AnyObject

    public init(type: GGMLType, rows: Int, cols: Int, data: UnsafeRawPointer, owner: AnyObject) {
        precondition(cols % type.blockElements == 0, "QuantizedMatrix: \(cols) columns are not whole \(type) blocks")
        self.type = type
        self.rows = rows
        self.cols = cols
        self.rowBytes = type.byteCount(elements: cols)!
        self.data = data
        self.owner = owner
    }

    /// `y[rows] = W · x`. `x` must be quantized (`q8`) for quantized types, float (`xf`) otherwise.
    public func multiply(q8: Q8Activations, xf: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, pool: KernelPool) {
        let x: UnsafeRawPointer = type.usesQ8Activations ? UnsafeRawPointer(q8.blocks) : UnsafeRawPointer(xf)
        lk_matvec(pool.raw, Int32(type.rawValue), data, rowBytes, Int64(rows), Int64(cols), x, y)
    }

    /// Dequantizes rows `range` into `dst` (`[range.count, cols]`, row-major).
    public func dequantizeRows(_ range: Range<Int>, into dst: UnsafeMutablePointer<Float>, pool: KernelPool) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows)
        lk_dequantize_rows(pool.raw, Int32(type.rawValue), data, rowBytes, Int64(range.lowerBound),
                           Int64(range.upperBound), Int64(cols), dst)
    }

    /// Dequantizes one row into `dst` (`[cols]`), on the calling thread.
    public func dequantizeRow(_ row: Int, into dst: UnsafeMutablePointer<Float>) {
        precondition(row >= 0 && row < rows)
        lk_dequantize(Int32(type.rawValue), data + row * rowBytes, dst, Int64(cols))
    }
}
