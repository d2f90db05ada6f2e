import Foundation
import GraphRuntime
import ModelFormats
import Vision

/// MediaPipe palm detection lite (192×192): letterboxed input in [0, 1], 2,016 SSD anchors, boxes with
/// seven hand keypoints, score ≥ 0.5, weighted NMS. Detections are in the image's pixels.
public final class PalmDetector: @unchecked Sendable {
    let executor: GraphExecutor
    let inputName: String
    public static let decoder = SSDDecoder(inputSize: 192, keypointCount: 7)

    public init(path: String) throws {
        let graph = try TFLiteImporter.importGraph(TFLiteModel(path: path))
        executor = try GraphExecutor(graph: graph)
        inputName = graph.inputs[0]
    }

    public func detect(_ image: RGBImage, minimumScore: Double = 0.5) throws -> [Detection] {
        let d = Self.decoder
        let (x, side, left, top) = try d.letterbox(image, scale: 1 / 255, offset: 0)
        let outputs = try executor.run([inputName: x])
        guard let regressors = outputs.values.first(where: { $0.shape.last == d.coordinates }),
              let scores = outputs.values.first(where: { $0.shape.last == 1 }) else {
            throw PerceptionError.invalidInput(network: "palm detection", reason: "the model's outputs are not [2016,18] and [2016,1]")
        }
        return d.decode(regressors: regressors.data, scores: scores.data, minimumScore: minimumScore)
            .map { SSDDecoder.project($0, side: side, left: left, top: top) }
    }
}
