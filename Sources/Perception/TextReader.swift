import Foundation
import Vision

/// One line of text found in an image.
public struct TextLine: Sendable {
    /// Corners in image pixels: top-left, top-right, bottom-right, bottom-left.
    public let box: [(x: Double, y: Double)]
    public let text: String
    /// Mean character probability.
    public let score: Double
}

/// The whole PP-OCR pipeline: detection, DB boxes, perspective crops, direction classification (crops
/// more likely upside down than 0.9 are turned), recognition, and lines below `minimumScore` dropped.
/// Lines come in reading order.
public final class TextReader: @unchecked Sendable {
    public let networks: PPOCRNetworks
    public var postProcessor = DBPostProcessor()
    public var minimumScore = 0.5

    public init(networks: PPOCRNetworks) { self.networks = networks }

    public func read(_ image: RGBImage) throws -> [TextLine] {
        let (map, w, h) = try networks.probabilityMap(image)
        let boxes = postProcessor.boxes(map: map, width: w, height: h, imageWidth: image.width, imageHeight: image.height)
        var lines: [TextLine] = []
        for box in boxes {
            let cw = Int(max(hypot(box[0].x - box[1].x, box[0].y - box[1].y), hypot(box[2].x - box[3].x, box[2].y - box[3].y)))
            let ch = Int(max(hypot(box[0].x - box[3].x, box[0].y - box[3].y), hypot(box[1].x - box[2].x, box[1].y - box[2].y)))
            guard cw > 0, ch > 0 else { continue }
            var crop = try image.warped(quad: box, width: cw, height: ch)
            if Double(ch) / Double(cw) >= 1.5 { crop = crop.rotated(quarterTurnsClockwise: 3) }
            if try networks.upsideDownProbability(crop) > 0.9 { crop = crop.rotated(quarterTurnsClockwise: 2) }
            let (text, score) = try networks.recognize(crop)
            if score >= minimumScore, !text.isEmpty { lines.append(TextLine(box: box, text: text, score: score)) }
        }
        return lines
    }
}
