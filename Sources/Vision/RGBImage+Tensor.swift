import Tensor

/// Memory layout of an image tensor.
public enum TensorLayout: Sendable {
    /// `[1, 3, H, W]` (ONNX, PyTorch).
    case nchw
    /// `[1, H, W, 3]` (TFLite).
    case nhwc
}

extension RGBImage {
    /// The image as a float tensor: each channel `(value / 255 - mean[c]) / std[c]`.
    ///
    /// Alpha is ignored: call `flattened(over:)` first if the image has transparency.
    /// - Returns: `[1, 3, H, W]` or `[1, H, W, 3]` depending on `layout`.
    public func tensor(layout: TensorLayout, mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1]) throws -> Tensor {
        guard mean.count == 3, std.count == 3, std.allSatisfy({ $0 != 0 && $0.isFinite }) else {
            throw VisionError.invalidArgument(operation: "tensor", reason: "mean and std need 3 finite values, std non-zero")
        }
        let n = pixelCount
        var data = [Float](repeating: 0, count: n * 3)
        let scale = std.map { 1 / (255 * $0) }
        let shift = (0..<3).map { -mean[$0] / std[$0] }
        pixels.withUnsafeBufferPointer { p in
            data.withUnsafeMutableBufferPointer { d in
                switch layout {
                case .nchw:
                    for c in 0..<3 {
                        let plane = c * n
                        for i in 0..<n { d[plane + i] = Float(p[3 * i + c]) * scale[c] + shift[c] }
                    }
                case .nhwc:
                    for i in 0..<n {
                        for c in 0..<3 { d[3 * i + c] = Float(p[3 * i + c]) * scale[c] + shift[c] }
                    }
                }
            }
        }
        let shape = layout == .nchw ? [1, 3, height, width] : [1, height, width, 3]
        return try Tensor(shape: shape, data: data)
    }
}
