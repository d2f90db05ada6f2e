import Foundation
import GraphRuntime
import ModelFormats
import Vision

/// A MediaPipe SSD detector run end to end: letterbox, the TFLite graph, decoding, and projection of the
/// detections back to the image's pixels. `BlazeFace` and `PalmDetector` are its two configurations.
final class SSDNetwork: @unchecked Sendable {
    let executor: GraphExecutor
    let inputName: String
    let decoder: SSDDecoder
    let network: String
    /// Input normalisation: `u8 · scale + offset`.
    let scale: Float, offset: Float

    init(path: String, decoder: SSDDecoder, network: String, scale: Float, offset: Float) throws {
        let graph = try TFLiteImporter.importGraph(TFLiteModel(path: path))
        executor = try GraphExecutor(graph: graph)
        inputName = graph.inputs[0]
        self.decoder = decoder
        self.network = network
        self.scale = scale
        self.offset = offset
    }

    func detect(_ image: RGBImage, minimumScore: Double) throws -> [Detection] {
        let (x, side, left, top) = try decoder.letterbox(image, scale: scale, offset: offset)
        let outputs = try executor.run([inputName: x])
        guard let regressors = outputs.values.first(where: { $0.shape.last == decoder.coordinates }),
              let scores = outputs.values.first(where: { $0.shape.last == 1 }) else {
            throw PerceptionError.invalidInput(network: network, reason: "the model's outputs are not [\(decoder.anchors.count),"
                + "\(decoder.coordinates)] and [\(decoder.anchors.count),1]")
        }
        return decoder.decode(regressors: regressors.data, scores: scores.data, minimumScore: minimumScore)
            .map { SSDDecoder.project($0, side: side, left: left, top: top) }
    }
}
