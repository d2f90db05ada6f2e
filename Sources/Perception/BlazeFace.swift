import Foundation
import GraphRuntime
import ModelFormats
import Vision

/// MediaPipe BlazeFace short range (128×128): letterboxed input in [-1, 1], 896 SSD anchors, boxes with six
/// keypoints (right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion), score ≥ 0.5,
/// weighted non-maximum suppression (IoU 0.3). Detections are in the image's pixels.
public final class BlazeFace: @unchecked Sendable {
    let executor: GraphExecutor
    let inputName: String
    public static let decoder = SSDDecoder(inputSize: 128, keypointCount: 6)

    public init(path: String) throws {
        let graph = try TFLiteImporter.importGraph(TFLiteModel(path: path))
        executor = try GraphExecutor(graph: graph)
        inputName = graph.inputs[0]
    }

    /// Faces in `image`, in its pixel coordinates.
    public func detect(_ image: RGBImage, minimumScore: Double = 0.5) throws -> [Detection] {
        let d = Self.decoder
        let (x, side, left, top) = try d.letterbox(image, scale: 1 / 127.5, offset: -1)
        let outputs = try executor.run([inputName: x])
        guard let regressors = outputs.values.first(where: { $0.shape.last == d.coordinates }),
              let scores = outputs.values.first(where: { $0.shape.last == 1 }) else {
            throw PerceptionError.invalidInput(network: "BlazeFace", reason: "the model's outputs are not [896,16] and [896,1]")
        }
        return d.decode(regressors: regressors.data, scores: scores.data, minimumScore: minimumScore)
            .map { SSDDecoder.project($0, side: side, left: left, top: top) }
    }

    /// Detections in normalised tensor coordinates from the raw outputs (`[896·16]`, `[896]`).
    public static func decode(regressors: [Float], scores: [Float], minimumScore: Double = 0.5) -> [Detection] {
        decoder.decode(regressors: regressors, scores: scores, minimumScore: minimumScore)
    }
}
