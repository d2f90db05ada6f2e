import Foundation
import Vision

/// MediaPipe palm detection lite (192×192): letterboxed input in [0, 1], 2,016 SSD anchors, boxes with
/// seven hand keypoints, score ≥ 0.5, weighted NMS. Detections are in the image's pixels.
public final class PalmDetector: @unchecked Sendable {
    public static let decoder = SSDDecoder(inputSize: 192, keypointCount: 7)
    let network: SSDNetwork

    public init(path: String) throws {
        network = try SSDNetwork(path: path, decoder: Self.decoder, network: "palm detection", scale: 1 / 255, offset: 0)
    }

    public func detect(_ image: RGBImage, minimumScore: Double = 0.5) throws -> [Detection] {
        try network.detect(image, minimumScore: minimumScore)
    }
}
