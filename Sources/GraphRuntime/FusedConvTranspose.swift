import CKernels
import Tensor

/// A transposed convolution (group 1, square kernel, equal strides) with constant weights: the input is
/// multiplied by the re-laid-out weights `[co·k·k, ci]` with the blocked convolution kernel (as a 1×1
/// convolution), then scattered into the output with the bias, and the fused pointwise program applied.
public struct FusedConvTranspose: Sendable {
    public let outChannels, inChannels, kernel: Int
    let columns: PackedConvolution
    public let bias: [Float]?
    public var program: PointwiseProgram

    /// `weight` is ONNX's `[ci, co, k, k]`; `bias` `[co]` or nil.
    public init(weight: [Float], bias: [Float]?, inChannels ci: Int, outChannels co: Int, kernel k: Int, program: PointwiseProgram = PointwiseProgram()) {
        precondition(weight.count == ci * co * k * k && (bias?.count ?? co) == co, "FusedConvTranspose: weight \(weight.count) for [\(ci), \(co), \(k), \(k)]")
        (outChannels, inChannels, kernel) = (co, ci, k)
        // W'[(c, ky, kx)][i] = w[i][c][ky][kx]
        var relaid = [Float](repeating: 0, count: weight.count)
        let rows = co * k * k
        for i in 0..<ci { for r in 0..<rows { relaid[r * ci + i] = weight[i * rows + r] } }
        columns = PackedConvolution(weight: relaid, bias: nil, outChannels: rows, inChannels: ci, kernelHeight: 1, kernelWidth: 1)
        self.bias = bias
        self.program = program
    }

    /// Runs on `x` `[n, ci, h, w]` with stride `s` and padding (top, left, bottom, right) and output padding.
    func run(_ x: GraphTensor, stride s: Int, pads p: [Int], outputPadding: [Int], node: String) throws -> GraphTensor {
        guard x.shape.count == 4, x.shape[1] == inChannels else {
            throw GraphRuntimeError.shapeMismatch(op: "ConvTranspose", node: node, reason: "input \(x.shape) for \(inChannels) input channels")
        }
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3]), k = kernel, co = outChannels
        let oh = (h - 1) * s - p[0] - p[2] + k + outputPadding[0], ow = (w - 1) * s - p[1] - p[3] + k + outputPadding[1]
        guard oh > 0, ow > 0 else { throw GraphRuntimeError.shapeMismatch(op: "ConvTranspose", node: node, reason: "output \(oh)×\(ow) for input \(x.shape)") }
        var cols = [Float](unsafeUninitializedCapacity: co * k * k * h * w) { _, count in count = co * k * k * h * w }
        let data = try [Float](unsafeUninitializedCapacity: n * co * oh * ow) { buffer, count in
            try x.data.withUnsafeBufferPointer { xp in
                try cols.withUnsafeMutableBufferPointer { cp in
                    for b in 0..<n {
                        try columns.run(xp.baseAddress! + b * inChannels * h * w, height: h, width: w, strideY: 1, strideX: 1, padding: .zero,
                                        into: cp.baseAddress!)
                        let colsBase = UnsafePointer(cp.baseAddress!), out = buffer.baseAddress! + b * co * oh * ow
                        program.withCOps { ops, nops in
                            func scatter(_ bp: UnsafePointer<Float>?) {
                                lk_col2im(KernelPool.shared.raw, colsBase, Int64(co), Int32(k), Int64(h), Int64(w), Int32(s), Int32(p[0]),
                                          Int32(p[1]), Int64(oh), Int64(ow), bp, ops, nops, out)
                            }
                            if let bias { bias.withUnsafeBufferPointer { scatter($0.baseAddress) } } else { scatter(nil) }
                        }
                    }
                }
            }
            count = n * co * oh * ow
        }
        return GraphTensor(shape: [n, co, oh, ow], data: data)
    }
}
