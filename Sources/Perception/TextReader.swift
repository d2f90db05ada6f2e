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
/// more likely upside down than 0.9 are turned), recognition in batches of similar width, and lines below
/// `minimumScore` dropped.
/// Lines come in reading order.
public final class TextReader: @unchecked Sendable {
    public let networks: PPOCRNetworks
    public var postProcessor = DBPostProcessor()
    public var minimumScore = 0.5
    /// Lines recognised per batch (the reference pipeline's 6).
    public var batchSize = 6

    public init(networks: PPOCRNetworks) { self.networks = networks }

    public func read(_ image: RGBImage) throws -> [TextLine] {
        // The detector reads the whole image, or tiles of a long strip or a large image (its input stays
        // bounded); each tile keeps the boxes centred in its core.
        var boxes: [[(x: Double, y: Double)]] = []
        let tiles = PPOCRNetworks.detectionTiles(width: image.width, height: image.height)
        for (tile, core) in tiles {
            let whole = tile.x0 == 0 && tile.y0 == 0 && tile.x1 == image.width && tile.y1 == image.height
            let part = whole ? image : try image.cropped(x: tile.x0, y: tile.y0, width: tile.x1 - tile.x0, height: tile.y1 - tile.y0)
            let (map, w, h) = try networks.probabilityMap(part)
            for box in postProcessor.boxes(map: map, width: w, height: h, imageWidth: part.width, imageHeight: part.height) {
                let placed = box.map { (x: $0.x + Double(tile.x0), y: $0.y + Double(tile.y0)) }
                let cx = placed.map(\.x).reduce(0, +) / Double(max(1, placed.count)), cy = placed.map(\.y).reduce(0, +) / Double(max(1, placed.count))
                if whole || (cx >= Double(core.x0) && cx < Double(core.x1) && cy >= Double(core.y0) && cy < Double(core.y1)) { boxes.append(placed) }
            }
        }
        if tiles.count > 1 { boxes = DBPostProcessor.readingOrder(boxes) }
        var crops: [RGBImage] = [], kept: [[(x: Double, y: Double)]] = []
        for box in boxes {
            let cw = Int(max(hypot(box[0].x - box[1].x, box[0].y - box[1].y), hypot(box[2].x - box[3].x, box[2].y - box[3].y)))
            let ch = Int(max(hypot(box[0].x - box[3].x, box[0].y - box[3].y), hypot(box[1].x - box[2].x, box[1].y - box[2].y)))
            guard cw > 0, ch > 0 else { continue }
            var crop = try image.warped(quad: box, width: cw, height: ch)
            if Double(ch) / Double(cw) >= 1.5 { crop = crop.rotated(quarterTurnsClockwise: 3) }
            crops.append(crop)
            kept.append(box)
        }
        for (i, p) in try networks.upsideDownProbabilities(crops).enumerated() where p > 0.9 {
            crops[i] = crops[i].rotated(quarterTurnsClockwise: 2)
        }
        // Recognition in batches of lines of similar aspect ratio (each batch is padded to its widest).
        let order = crops.indices.sorted { Double(crops[$0].width) / Double(crops[$0].height) < Double(crops[$1].width) / Double(crops[$1].height) }
        var results = [(text: String, score: Double)](repeating: ("", 0), count: crops.count)
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let part = Array(order[start..<min(order.count, start + batchSize)])
            for (i, r) in try networks.recognize(batch: part.map { crops[$0] }).enumerated() { results[part[i]] = r }
        }
        return crops.indices.compactMap { i in
            results[i].score >= minimumScore && !results[i].text.isEmpty ? TextLine(box: kept[i], text: results[i].text, score: results[i].score) : nil
        }
    }
}
