import Foundation
import Perception
import TestSupport
import Testing
import Vision

/// Palm detection and selfie segmentation end to end on the fixture photos.
@Suite struct PalmAndSelfieTests {
    static func json(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.root.appendingPathComponent("vision/\(name).json"))) as! [String: Any]
    }

    static func image(_ c: [String: Any]) throws -> RGBImage {
        let file = (c["image"] as! [String: Any])["file"] as! String
        return try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/\(file)").path)
    }

    @Test func palmsMatchReference() throws {
        let detector = try PalmDetector(path: Fixtures.modelPath("palm-detection"))
        for c in try Self.json("palm_detection")["cases"] as! [[String: Any]] {
            let image = try Self.image(c)
            let palms = try detector.detect(image)
            let expected = c["palms"] as! [[String: Any]]
            #expect(palms.count == expected.count)
            let side = Double(max(image.width, image.height))
            for (p, e) in zip(palms, expected) {
                let box = e["box_image_px"] as! [String: Double]
                for (mine, key) in [(p.box.0, "xmin"), (p.box.1, "ymin"), (p.box.2, "xmax"), (p.box.3, "ymax")] {
                    #expect(abs(mine - box[key]!) / side < 0.02, "\(key): \(mine) vs \(box[key]!)")
                }
                #expect(abs(p.score - (e["score"] as! Double)) < 0.05 && p.keypoints.count == 7)
            }
        }
    }

    @Test func selfieMaskMatchesReference() throws {
        let segmenter = try SelfieSegmenter(path: Fixtures.modelPath("selfie-segmentation"))
        for c in try Self.json("selfie_segmentation")["cases"] as! [[String: Any]] {
            let image = try Self.image(c)
            let network = try segmenter.networkMask(image)
            let blocks = (c["mask_32x32"] as! [String: Any])["values"] as! [[Double]]
            var worst = 0.0
            for by in 0..<32 {
                for bx in 0..<32 {
                    var s = 0.0
                    for y in 0..<8 { for x in 0..<8 { s += Double(network[(by * 8 + y) * 256 + bx * 8 + x]) } }
                    worst = max(worst, abs(s / 64 - blocks[by][bx]))
                }
            }
            #expect(worst < 0.05, "32×32 block means differ by \(worst)")
            let full = try segmenter.mask(image)
            #expect(full.count == image.width * image.height && full.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }
}
