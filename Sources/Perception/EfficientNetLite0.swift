import Foundation
import ModelFormats
import Tensor
import Vision

/// EfficientNet-Lite0 (ImageNet-1k) built in Swift from its PyTorch state dict: stem 3×3/2, 16 MBConv
/// blocks (expand 1×1, depthwise k×k, project 1×1; no squeeze-excitation; ReLU6), head 1×1 to 1280,
/// global average pool, linear classifier. TensorFlow SAME padding; BatchNorm (ε 1e-3) folded into the
/// convolutions at load time. Input: RGB 224×224, `(x − 127) / 128`, channel-major.
public final class EfficientNetLite0: @unchecked Sendable {
    /// One convolution with its BatchNorm folded in and, where the network has one, its ReLU6 fused, packed
    /// for the blocked convolution kernel.
    struct Conv {
        let packed: PackedConvolution
        let outChannels, inChannels, kernel, stride: Int
    }

    struct Block {
        let expand: Conv?
        let depthwise: Conv
        let project: Conv
        var residual: Bool { depthwise.stride == 1 && (expand?.inChannels ?? depthwise.inChannels) == project.outChannels }
    }

    let stem: Conv
    let blocks: [Block]
    let head: Conv
    let classifier: (weight: [Float], bias: [Float])  // [1000, 1280], [1000]
    let blas: BLAS
    /// Side of the square input.
    public static let inputSize = 224
    /// Feature width before the classifier.
    public static let featureSize = 1280

    /// (repeats, kernel, stride, expand ratio, in, out) per stage.
    static let stages = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                         (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]

    public convenience init(path: String) throws {
        try self.init(checkpoint: PyTorchCheckpoint(path: path))
    }

    public init(checkpoint c: PyTorchCheckpoint) throws {
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard let t = c.tensor(name) else { throw PerceptionError.badWeights(network: "EfficientNet-Lite0", tensor: name, reason: "is missing") }
            guard t.shape == shape else {
                throw PerceptionError.badWeights(network: "EfficientNet-Lite0", tensor: name, reason: "has shape \(t.shape), expected \(shape)")
            }
            return c.floats(t)
        }
        func conv(_ name: String, bn: String, out: Int, in inp: Int, kernel k: Int, stride: Int, depthwise: Bool, relu6: Bool = true) throws -> Conv {
            var w = try tensor(name + ".weight", [out, depthwise ? 1 : inp, k, k])
            let gamma = try tensor(bn + ".weight", [out]), beta = try tensor(bn + ".bias", [out])
            let mean = try tensor(bn + ".running_mean", [out]), variance = try tensor(bn + ".running_var", [out])
            var bias = [Float](repeating: 0, count: out)
            let per = w.count / out
            for o in 0..<out {
                let scale = gamma[o] / (variance[o] + 1e-3).squareRoot()
                for i in 0..<per { w[o * per + i] *= scale }
                bias[o] = beta[o] - mean[o] * scale
            }
            let packed = PackedConvolution(weight: w, bias: bias, outChannels: out, inChannels: inp, kernelHeight: k, kernelWidth: k,
                                           groups: depthwise ? inp : 1, program: PointwiseProgram(relu6 ? [.clip(low: 0, high: 6)] : []))
            return Conv(packed: packed, outChannels: out, inChannels: inp, kernel: k, stride: stride)
        }
        stem = try conv("_conv_stem", bn: "_bn0", out: 32, in: 3, kernel: 3, stride: 2, depthwise: false)
        var blocks: [Block] = []
        for (repeats, k, stride, expandRatio, inC, outC) in Self.stages {
            for r in 0..<repeats {
                let i = blocks.count, p = "_blocks.\(i)."
                let input = r == 0 ? inC : outC, wide = input * expandRatio
                let expand = expandRatio == 1 ? nil
                    : try conv(p + "_expand_conv", bn: p + "_bn0", out: wide, in: input, kernel: 1, stride: 1, depthwise: false)
                let dw = try conv(p + "_depthwise_conv", bn: p + "_bn1", out: wide, in: wide, kernel: k, stride: r == 0 ? stride : 1, depthwise: true)
                let project = try conv(p + "_project_conv", bn: p + "_bn2", out: outC, in: wide, kernel: 1, stride: 1, depthwise: false, relu6: false)
                blocks.append(Block(expand: expand, depthwise: dw, project: project))
            }
        }
        self.blocks = blocks
        head = try conv("_conv_head", bn: "_bn1", out: 1280, in: 320, kernel: 1, stride: 1, depthwise: false)
        classifier = (try tensor("_fc.weight", [1000, 1280]), try tensor("_fc.bias", [1000]))
        blas = try BLAS.shared()
    }

    /// What one forward pass gives.
    public struct Output: Sendable {
        /// `[1000]` class scores.
        public let logits: [Float]
        /// `[1280]` pooled feature (the classifier's input).
        public let features: [Float]
        /// `[1280, mapHeight, mapWidth]` last feature map (for class-activation maps and region scores).
        public let featureMap: [Float]
        /// Side of the feature map for a square input (its height).
        public var mapSize: Int { mapHeight }
        public let mapHeight: Int
        public let mapWidth: Int
    }

    /// Runs the network on a `[3, height, width]` normalised input (224×224 unless given; any size from 32
    /// to 1024 a side: the network is convolutional up to its pooling).
    public func forward(_ input: [Float], height: Int = inputSize, width: Int = inputSize) throws -> Output {
        guard (32...1024).contains(height), (32...1024).contains(width) else {
            throw PerceptionError.invalidInput(network: "EfficientNet-Lite0", reason: "input is \(width)×\(height), sides must be 32…1024")
        }
        guard input.count == 3 * height * width else {
            throw PerceptionError.invalidInput(network: "EfficientNet-Lite0", reason: "input has \(input.count) values, expected 3×\(height)×\(width)")
        }
        var (x, h, w) = try apply(stem, input, height: height, width: width)
        for b in blocks {
            var y = x, yh = h, yw = w
            if let e = b.expand { (y, yh, yw) = try apply(e, y, height: yh, width: yw) }
            (y, yh, yw) = try apply(b.depthwise, y, height: yh, width: yw)
            (y, yh, yw) = try apply(b.project, y, height: yh, width: yw)
            if b.residual { for i in y.indices { y[i] += x[i] } }
            (x, h, w) = (y, yh, yw)
        }
        let (map, mh, mw) = try apply(head, x, height: h, width: w)
        var features = [Float](repeating: 0, count: 1280)
        for c in 0..<1280 {
            var s: Float = 0
            for i in 0..<(mh * mw) { s += map[c * mh * mw + i] }
            features[c] = s / Float(mh * mw)
        }
        return Output(logits: try logits(features: features), features: features, featureMap: map, mapHeight: mh, mapWidth: mw)
    }

    /// The 1,000 class logits of a pooled feature vector `[1280]` (the classifier head alone: a library index
    /// keeps the features and scores an image for a word's classes without running the network again).
    public func logits(features: [Float]) throws -> [Float] {
        guard features.count == Self.featureSize else {
            throw PerceptionError.invalidInput(network: "EfficientNet-Lite0", reason: "\(features.count) feature values, expected \(Self.featureSize)")
        }
        var logits = classifier.bias
        classifier.weight.withUnsafeBufferPointer { wp in
            features.withUnsafeBufferPointer { fp in
                logits.withUnsafeMutableBufferPointer { lp in
                    blas.sgemv(trans: false, m: 1000, n: 1280, alpha: 1, a: wp.baseAddress!, lda: 1280, x: fp.baseAddress!, beta: 1, y: lp.baseAddress!)
                }
            }
        }
        return logits
    }

    /// Class scores `[boxes.count, 1000]` of regions of a forward pass: the feature map averaged over the
    /// cells each box `[x0, y0, x1, y1]` (normalised 0…1) covers, then the classifier, as the whole-image
    /// score is made from the whole map. Rows are logits.
    public func regionLogits(_ output: Output, boxes: [[Double]]) throws -> [[Float]] {
        let mh = output.mapHeight, mw = output.mapWidth, cells = mh * mw, c = Self.featureSize
        guard output.featureMap.count == c * cells else {
            throw PerceptionError.invalidInput(network: "EfficientNet-Lite0", reason: "feature map has \(output.featureMap.count) values, expected \(c)×\(mh)×\(mw)")
        }
        guard !boxes.isEmpty else { return [] }
        // Integral image per channel: [1280, mh + 1, mw + 1].
        let iw = mw + 1, plane = (mh + 1) * iw
        var integral = [Float](repeating: 0, count: c * plane)
        for k in 0..<c {
            let src = k * cells, dst = k * plane
            for y in 0..<mh {
                var row: Float = 0
                for x in 0..<mw {
                    row += output.featureMap[src + y * mw + x]
                    integral[dst + (y + 1) * iw + x + 1] = integral[dst + y * iw + x + 1] + row
                }
            }
        }
        var pooled = [Float](repeating: 0, count: boxes.count * c)  // [P, 1280]
        for (i, b) in boxes.enumerated() {
            guard b.count == 4 else { throw PerceptionError.invalidInput(network: "EfficientNet-Lite0", reason: "box \(i) has \(b.count) values, expected 4") }
            let x0 = min(mw - 1, max(0, Int((b[0] * Double(mw)).rounded()))), y0 = min(mh - 1, max(0, Int((b[1] * Double(mh)).rounded())))
            let x1 = max(x0 + 1, min(mw, Int((b[2] * Double(mw)).rounded()))), y1 = max(y0 + 1, min(mh, Int((b[3] * Double(mh)).rounded())))
            let area = Float((x1 - x0) * (y1 - y0))
            for k in 0..<c {
                let d = k * plane
                pooled[i * c + k] = (integral[d + y1 * iw + x1] - integral[d + y0 * iw + x1] - integral[d + y1 * iw + x0] + integral[d + y0 * iw + x0]) / area
            }
        }
        var logits = [Float](repeating: 0, count: boxes.count * 1000)
        for i in 0..<boxes.count { for j in 0..<1000 { logits[i * 1000 + j] = classifier.bias[j] } }
        pooled.withUnsafeBufferPointer { pp in
            classifier.weight.withUnsafeBufferPointer { wp in
                logits.withUnsafeMutableBufferPointer { lp in
                    blas.sgemm(transA: false, transB: true, m: boxes.count, n: 1000, k: c, alpha: 1, a: pp.baseAddress!, lda: c,
                               b: wp.baseAddress!, ldb: c, beta: 1, c: lp.baseAddress!, ldc: 1000)
                }
            }
        }
        return (0..<boxes.count).map { Array(logits[($0 * 1000)..<(($0 + 1) * 1000)]) }
    }

    /// Normalised channel-major input `[3, height, width]` of an image resized (squashed) to that size.
    public static func input(resizing image: RGBImage, width: Int, height: Int) throws -> [Float] {
        let small = try image.resized(width: width, height: height, filter: .bilinear)
        let n = width * height
        var x = [Float](repeating: 0, count: 3 * n)
        for i in 0..<n { for ch in 0..<3 { x[ch * n + i] = (Float(small.pixels[3 * i + ch]) - 127) / 128 } }
        return x
    }

    /// A class with its probability.
    public struct Prediction: Sendable, Equatable {
        public let index: Int
        public let probability: Float
    }

    /// The network input for a photo: TF's evaluation crop (a centred square of 224/256 of the shorter side),
    /// resized to 224×224, `(x − 127) / 128`, channel-major RGB.
    public static func input(for image: RGBImage) throws -> [Float] {
        let c = Int(Double(inputSize) / Double(inputSize + 32) * Double(min(image.width, image.height)))
        guard c > 0 else { throw PerceptionError.invalidInput(network: "EfficientNet-Lite0", reason: "image too small") }
        let top = (image.height - c + 1) / 2, left = (image.width - c + 1) / 2
        return try input(resizing: try image.cropped(x: left, y: top, width: c, height: c), width: inputSize, height: inputSize)
    }

    /// The probability (softmax over `logits`) of the classes in `classes` together, and the most probable of
    /// them (nil when `classes` is empty).
    public static func mass(of classes: Set<Int>, in logits: [Float]) -> (total: Double, best: Int?) {
        let m = logits.max() ?? 0
        var z: Double = 0, total: Double = 0, best: Int?, bestP = -1.0
        for (i, l) in logits.enumerated() {
            let e = Double(expf(l - m))
            z += e
            if classes.contains(i) { total += e; if e > bestP { (best, bestP) = (i, e) } }
        }
        return (total / max(z, 1e-30), best)
    }

    /// The `k` most probable classes (softmax over the logits).
    public static func top(_ k: Int, of logits: [Float]) -> [Prediction] {
        let m = logits.max() ?? 0
        let e = logits.map { expf($0 - m) }
        let z = e.reduce(0, +)
        return e.indices.sorted { e[$0] > e[$1] }.prefix(max(0, k)).map { Prediction(index: $0, probability: e[$0] / z) }
    }

    /// Class-activation map of `classIndex` (`[mapSize²]`, scaled to 0…1): the classifier's weights for the
    /// class applied to the last feature map, so high values mark where the class is seen.
    public func classActivationMap(_ output: Output, classIndex: Int) throws -> [Float] {
        guard (0..<1000).contains(classIndex) else { throw PerceptionError.invalidInput(network: "EfficientNet-Lite0", reason: "class \(classIndex)") }
        let cells = output.mapHeight * output.mapWidth
        var cam = [Float](repeating: 0, count: cells)
        for k in 0..<Self.featureSize {
            let w = classifier.weight[classIndex * Self.featureSize + k]
            for i in 0..<cells { cam[i] += w * output.featureMap[k * cells + i] }
        }
        let lo = cam.min() ?? 0, hi = cam.max() ?? 1
        return cam.map { hi > lo ? ($0 - lo) / (hi - lo) : 0 }
    }

    private func apply(_ c: Conv, _ x: [Float], height: Int, width: Int) throws -> ([Float], Int, Int) {
        let pad = Convolution.Padding.same(height: height, width: width, kernel: c.kernel, stride: c.stride)
        let oh = Convolution.outputSize(height, kernel: c.kernel, stride: c.stride, before: pad.top, after: pad.bottom)
        let ow = Convolution.outputSize(width, kernel: c.kernel, stride: c.stride, before: pad.left, after: pad.right)
        let y = try [Float](unsafeUninitializedCapacity: c.outChannels * oh * ow) { buffer, count in
            try x.withUnsafeBufferPointer {
                try c.packed.run($0.baseAddress!, height: height, width: width, strideY: c.stride, strideX: c.stride, padding: pad, into: buffer.baseAddress!)
            }
            count = c.outChannels * oh * ow
        }
        return (y, oh, ow)
    }
}
