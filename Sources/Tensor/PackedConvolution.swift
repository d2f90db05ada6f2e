import CKernels

/// A convolution whose weights are packed once for the blocked C kernel (`lk_conv2d`), with an optional
/// pointwise program fused into its end. Grouped convolutions run group by group; depthwise ones (one
/// input channel per group, as many outputs as inputs) use the direct depthwise kernel.
public struct PackedConvolution: Sendable {
    public let outChannels, inChannels, kernelHeight, kernelWidth, groups: Int
    /// Packed weights: per group, `lk_conv_packed_floats(co/g, ci/g·kh·kw)` floats (depthwise: `[c, kh, kw]` as is).
    let packed: [Float]
    let groupStride: Int
    public let bias: [Float]?
    public var program: PointwiseProgram

    public var isDepthwise: Bool { groups == inChannels && groups == outChannels && groups > 1 }

    /// `weight` is `[co, ci/groups, kh, kw]`, `bias` `[co]` or nil.
    public init(weight: [Float], bias: [Float]?, outChannels co: Int, inChannels ci: Int, kernelHeight kh: Int, kernelWidth kw: Int,
                groups g: Int = 1, program: PointwiseProgram = PointwiseProgram()) {
        precondition(g >= 1 && ci % g == 0 && co % g == 0 && weight.count == co * (ci / g) * kh * kw && (bias?.count ?? co) == co,
                     "PackedConvolution: weight \(weight.count) values for [\(co), \(ci)/\(g), \(kh), \(kw)]")
        (outChannels, inChannels, kernelHeight, kernelWidth, groups) = (co, ci, kh, kw, g)
        self.bias = bias
        self.program = program
        if g == ci, g == co, g > 1 {
            packed = weight
            groupStride = kh * kw
            return
        }
        let cog = co / g, k = (ci / g) * kh * kw
        let stride = lk_conv_packed_floats(Int64(cog), Int64(k))
        var out = [Float](repeating: 0, count: stride * g)
        weight.withUnsafeBufferPointer { wp in
            out.withUnsafeMutableBufferPointer { op in
                for gi in 0..<g { lk_conv_pack_weights(wp.baseAddress! + gi * cog * k, Int64(cog), Int64(k), op.baseAddress! + gi * stride) }
            }
        }
        packed = out
        groupStride = stride
    }

    /// Runs on `batch` images `x` `[batch, ci, h, w]` into `y` `[batch, co, oh, ow]` (oh, ow from the strides and padding).
    public func run(_ x: UnsafePointer<Float>, batch: Int = 1, height h: Int, width w: Int, strideY sy: Int, strideX sx: Int,
                    padding p: Convolution.Padding, into y: UnsafeMutablePointer<Float>, pool: KernelPool = .shared) throws {
        let oh = Convolution.outputSize(h, kernel: kernelHeight, stride: sy, before: p.top, after: p.bottom)
        let ow = Convolution.outputSize(w, kernel: kernelWidth, stride: sx, before: p.left, after: p.right)
        guard oh > 0, ow > 0 else { throw TensorError.invalidConvolution("output would be \(oh)×\(ow) for input \(h)×\(w)") }
        try packed.withUnsafeBufferPointer { wp in
            try program.withCOps { ops, count in
                func call(_ b: UnsafePointer<Float>?) throws {
                    let xs = inChannels * h * w, ys = outChannels * oh * ow
                    if isDepthwise {
                        for i in 0..<batch {
                            let status = lk_depthwise_conv_fused(pool.raw, x + i * xs, Int64(inChannels), Int64(h), Int64(w), wp.baseAddress, b,
                                                                 Int32(kernelHeight), Int32(kernelWidth), Int32(sy), Int32(sx), Int32(p.top),
                                                                 Int32(p.left), Int64(oh), Int64(ow), ops, count, y + i * ys)
                            if status != 0 { throw TensorError.outOfMemory("depthwise convolution row buffers") }
                        }
                        return
                    }
                    let cig = inChannels / groups, cog = outChannels / groups
                    for gi in 0..<groups {
                        let status = lk_conv2d_batch(pool.raw, x + gi * cig * h * w, Int64(batch), Int64(xs), Int64(cig), Int64(h), Int64(w),
                                                     wp.baseAddress! + gi * groupStride, b.map { $0 + gi * cog }, Int64(cog), Int32(kernelHeight),
                                                     Int32(kernelWidth), Int32(sy), Int32(sx), Int32(p.top), Int32(p.left), Int64(oh), Int64(ow),
                                                     ops, count, Int64(gi * cog), y + gi * cog * oh * ow, Int64(ys))
                        if status == -2 { throw TensorError.outOfMemory("convolution panel of \(cig * kernelHeight * kernelWidth)×\(LK_CONV_NB) floats") }
                        if status != 0 { throw TensorError.invalidConvolution("sizes rejected by the kernel") }
                    }
                }
                if let bias { try bias.withUnsafeBufferPointer { try call($0.baseAddress) } } else { try call(nil) }
            }
        }
    }
}
