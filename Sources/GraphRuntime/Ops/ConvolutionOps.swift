import Tensor

/// Conv and ConvTranspose on NCHW tensors: grouped and depthwise convolution, ONNX padding rules.
public enum ConvolutionOps {
    public static func padding(_ a: Operator.ConvAttributes, height: Int, width: Int, kernel k: [Int]) -> Convolution.Padding {
        switch a.autoPad {
        case "SAME_UPPER", "SAME_LOWER":
            func split(_ n: Int, _ k: Int, _ s: Int) -> (Int, Int) {
                let total = max(((n + s - 1) / s - 1) * s + k - n, 0)
                return a.autoPad == "SAME_UPPER" ? (total / 2, total - total / 2) : (total - total / 2, total / 2)
            }
            let (t, b) = split(height, k[0], a.strides[0]), (l, r) = split(width, k[1], a.strides[1])
            return Convolution.Padding(top: t, left: l, bottom: b, right: r)
        case "VALID": return .zero
        default: return Convolution.Padding(top: a.pads[0], left: a.pads[1], bottom: a.pads[2], right: a.pads[3])
        }
    }

    public static func conv(_ x: GraphTensor, weight w: GraphTensor, bias: GraphTensor?, _ a: Operator.ConvAttributes, node: String,
                     blas: BLAS) throws -> GraphTensor {
        guard x.shape.count == 4, w.shape.count == 4 else {
            throw GraphRuntimeError.shapeMismatch(op: "Conv", node: node, reason: "input \(x.shape) / weight \(w.shape) must be 4-D")
        }
        let (n, ci, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, cig, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let g = a.group
        guard ci % g == 0, co % g == 0, cig == ci / g, bias.map({ $0.count == co }) ?? true else {
            throw GraphRuntimeError.shapeMismatch(op: "Conv", node: node, reason: "input \(x.shape), weight \(w.shape), group \(g)")
        }
        let p = padding(a, height: h, width: wd, kernel: [kh, kw])
        let (sy, sx) = (a.strides[0], a.strides[1])
        let oh = Convolution.outputSize(h, kernel: kh, stride: sy, before: p.top, after: p.bottom)
        let ow = Convolution.outputSize(wd, kernel: kw, stride: sx, before: p.left, after: p.right)
        guard oh > 0, ow > 0 else { throw GraphRuntimeError.shapeMismatch(op: "Conv", node: node, reason: "output would be empty") }
        var out = [Float](repeating: 0, count: n * co * oh * ow)
        let cog = co / g
        for b in 0..<n {
            let image = Array(x.data[(b * ci * h * wd)..<((b + 1) * ci * h * wd)])
            if g == ci, co == ci {
                let (y, _, _) = Convolution.depthwise(image, channels: ci, height: h, width: wd, weight: w.data, bias: bias?.data,
                                                      kernelHeight: kh, kernelWidth: kw, strideY: sy, strideX: sx, padding: p)
                out.replaceSubrange((b * co * oh * ow)..<((b + 1) * co * oh * ow), with: y)
                continue
            }
            for gi in 0..<g {
                let xs = g == 1 ? image : Array(image[(gi * cig * h * wd)..<((gi + 1) * cig * h * wd)])
                let ws = g == 1 ? w.data : Array(w.data[(gi * cog * cig * kh * kw)..<((gi + 1) * cog * cig * kh * kw)])
                let bs = bias.map { g == 1 ? $0.data : Array($0.data[(gi * cog)..<((gi + 1) * cog)]) }
                let (y, _, _) = Convolution.conv2d(xs, channels: cig, height: h, width: wd, weight: ws, bias: bs, outChannels: cog,
                                                   kernelHeight: kh, kernelWidth: kw, strideY: sy, strideX: sx, padding: p, blas: blas)
                let start = (b * co + gi * cog) * oh * ow
                out.replaceSubrange(start..<(start + cog * oh * ow), with: y)
            }
        }
        return GraphTensor(shape: [n, co, oh, ow], data: out)
    }

    /// A convolution with packed weights and its fused pointwise program, image by image.
    public static func fusedConv(_ x: GraphTensor, _ a: Operator.ConvAttributes, _ conv: PackedConvolution, node: String) throws -> GraphTensor {
        guard x.shape.count == 4, x.shape[1] == conv.inChannels else {
            throw GraphRuntimeError.shapeMismatch(op: "Conv", node: node, reason: "input \(x.shape) for \(conv.inChannels) input channels")
        }
        let (n, h, wd) = (x.shape[0], x.shape[2], x.shape[3])
        let p = padding(a, height: h, width: wd, kernel: [conv.kernelHeight, conv.kernelWidth])
        let (sy, sx) = (a.strides[0], a.strides[1])
        let oh = Convolution.outputSize(h, kernel: conv.kernelHeight, stride: sy, before: p.top, after: p.bottom)
        let ow = Convolution.outputSize(wd, kernel: conv.kernelWidth, stride: sx, before: p.left, after: p.right)
        guard oh > 0, ow > 0 else { throw GraphRuntimeError.shapeMismatch(op: "Conv", node: node, reason: "output would be empty for input \(x.shape)") }
        let co = conv.outChannels
        let data = try [Float](unsafeUninitializedCapacity: n * co * oh * ow) { buffer, count in
            try x.data.withUnsafeBufferPointer { xp in
                try conv.run(xp.baseAddress!, batch: n, height: h, width: wd, strideY: sy, strideX: sx, padding: p, into: buffer.baseAddress!)
            }
            count = n * co * oh * ow
        }
        return GraphTensor(shape: [n, co, oh, ow], data: data)
    }

    /// Transposed convolution (group 1): columns = Wᵀ·X by SGEMM, then scatter-add into the output.
    public static func convTranspose(_ x: GraphTensor, weight w: GraphTensor, bias: GraphTensor?, _ a: Operator.ConvAttributes, node: String,
                              blas: BLAS) throws -> GraphTensor {
        guard x.shape.count == 4, w.shape.count == 4, a.group == 1, w.shape[0] == x.shape[1], w.shape[2] == w.shape[3] else {
            throw GraphRuntimeError.shapeMismatch(op: "ConvTranspose", node: node, reason: "input \(x.shape), weight \(w.shape), group \(a.group)")
        }
        let (n, ci, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, k) = (w.shape[1], w.shape[2])
        let s = a.strides[0], p = a.pads
        let oh = (h - 1) * s - p[0] - p[2] + k + a.outputPadding[0]
        let ow = (wd - 1) * s - p[1] - p[3] + k + a.outputPadding[1]
        guard oh > 0, ow > 0, bias.map({ $0.count == co }) ?? true else {
            throw GraphRuntimeError.shapeMismatch(op: "ConvTranspose", node: node, reason: "output \(oh)×\(ow) for input \(x.shape)")
        }
        var out = [Float](repeating: 0, count: n * co * oh * ow)
        var cols = [Float](repeating: 0, count: co * k * k * h * wd)
        for b in 0..<n {
            x.data.withUnsafeBufferPointer { xp in
                w.data.withUnsafeBufferPointer { wp in
                    cols.withUnsafeMutableBufferPointer { cp in
                        blas.sgemm(transA: true, transB: false, m: co * k * k, n: h * wd, k: ci, alpha: 1, a: wp.baseAddress!, lda: co * k * k,
                                   b: xp.baseAddress! + b * ci * h * wd, ldb: h * wd, beta: 0, c: cp.baseAddress!, ldc: h * wd)
                    }
                }
            }
            for c in 0..<co {
                let base = (b * co + c) * oh * ow
                let bv = bias?.data[c] ?? 0
                for i in 0..<(oh * ow) { out[base + i] = bv }
                for ky in 0..<k {
                    for kx in 0..<k {
                        let row = ((c * k + ky) * k + kx) * h * wd
                        for iy in 0..<h {
                            let oy = iy * s + ky - p[0]
                            guard oy >= 0, oy < oh else { continue }
                            for ix in 0..<wd {
                                let ox = ix * s + kx - p[1]
                                if ox >= 0, ox < ow { out[base + oy * ow + ox] += cols[row + iy * wd + ix] }
                            }
                        }
                    }
                }
            }
        }
        return GraphTensor(shape: [n, co, oh, ow], data: out)
    }
}
