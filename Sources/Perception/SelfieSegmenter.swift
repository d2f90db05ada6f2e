import Foundation
import GraphRuntime
import ModelFormats
import Vision

/// MediaPipe selfie segmentation (general, 256×256): the image stretched to 256×256 in [0, 1], a person
/// probability per pixel, resized back bilinearly to the image's resolution.
public final class SelfieSegmenter: @unchecked Sendable {
    let executor: GraphExecutor
    let inputName: String
    static let size = 256

    public init(path: String) throws {
        let graph = try TFLiteImporter.importGraph(TFLiteModel(path: path))
        executor = try GraphExecutor(graph: graph)
        inputName = graph.inputs[0]
    }

    /// The network's 256×256 probability map for `image`.
    public func networkMask(_ image: RGBImage) throws -> [Float] {
        let small = try image.resized(width: Self.size, height: Self.size, filter: .bilinear)
        var x = GraphTensor(shape: [1, Self.size, Self.size, 3])
        for i in 0..<x.count { x.data[i] = Float(small.pixels[i]) / 255 }
        guard let mask = try executor.run([inputName: x]).values.first, mask.count == Self.size * Self.size else {
            throw PerceptionError.invalidInput(network: "selfie segmentation", reason: "output is not 256×256")
        }
        return mask.data
    }

    /// Person probability for every pixel of `image` (`[height·width]`, row-major).
    public func mask(_ image: RGBImage) throws -> [Float] {
        let m = try networkMask(image), n = Self.size
        var out = [Float](repeating: 0, count: image.width * image.height)
        for y in 0..<image.height {
            let fy = min(max((Double(y) + 0.5) * Double(n) / Double(image.height) - 0.5, 0), Double(n - 1))
            let y0 = Int(fy), y1 = min(y0 + 1, n - 1), dy = Float(fy - Double(y0))
            for x in 0..<image.width {
                let fx = min(max((Double(x) + 0.5) * Double(n) / Double(image.width) - 0.5, 0), Double(n - 1))
                let x0 = Int(fx), x1 = min(x0 + 1, n - 1), dx = Float(fx - Double(x0))
                let top = m[y0 * n + x0] * (1 - dx) + m[y0 * n + x1] * dx, bottom = m[y1 * n + x0] * (1 - dx) + m[y1 * n + x1] * dx
                out[y * image.width + x] = top * (1 - dy) + bottom * dy
            }
        }
        return out
    }
}
