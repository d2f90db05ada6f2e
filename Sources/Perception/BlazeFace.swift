import Foundation
import Vision

/// MediaPipe BlazeFace short range (128×128): letterboxed input in [-1, 1], 896 SSD anchors, boxes with six
/// keypoints (right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion), score ≥ 0.5,
/// weighted non-maximum suppression (IoU 0.3). Detections are in the image's pixels.
public final class BlazeFace: @unchecked Sendable {
    public static let decoder = SSDDecoder(inputSize: 128, keypointCount: 6)
    let network: SSDNetwork

    public init(path: String) throws {
        network = try SSDNetwork(path: path, decoder: Self.decoder, network: "BlazeFace", scale: 1 / 127.5, offset: -1)
    }

    /// Faces in `image`, in its pixel coordinates.
    public func detect(_ image: RGBImage, minimumScore: Double = 0.5) throws -> [Detection] {
        try network.detect(image, minimumScore: minimumScore)
    }

    /// Detections in normalised tensor coordinates from the raw outputs (`[896·16]`, `[896]`).
    public static func decode(regressors: [Float], scores: [Float], minimumScore: Double = 0.5) -> [Detection] {
        decoder.decode(regressors: regressors, scores: scores, minimumScore: minimumScore)
    }
}
