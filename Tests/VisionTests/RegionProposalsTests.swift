import Foundation
import TestSupport
import Testing
import Vision

/// Selective-search proposals and graph segmentation on synthetic scenes.
@Suite struct RegionProposalsTests {
    /// A textured grey background with solid rectangles `[x0, y0, x1, y1]` of the given colours.
    static func scene(width: Int, height: Int, _ shapes: [([Int], (UInt8, UInt8, UInt8))]) throws -> RGBImage {
        var random = SplitMix(seed: 7)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { let v = UInt8(110 + Int(random.next() % 20)); pixels[3 * i] = v; pixels[3 * i + 1] = v; pixels[3 * i + 2] = v }
        for (box, c) in shapes {
            for y in box[1]..<box[3] { for x in box[0]..<box[2] { let p = 3 * (y * width + x); pixels[p] = c.0; pixels[p + 1] = c.1; pixels[p + 2] = c.2 } }
        }
        return try RGBImage(width: width, height: height, pixels: pixels)
    }

    static func iou(_ a: [Double], _ b: [Double]) -> Double {
        let ix = max(0, min(a[2], b[2]) - max(a[0], b[0])), iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
        let inter = ix * iy
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)
    }

    @Test func segmentsSolidShapes() throws {
        let image = try Self.scene(width: 120, height: 80, [([10, 10, 50, 40], (200, 30, 30)), ([70, 30, 110, 70], (30, 30, 200))])
        let seg = GraphSegmentation.segment(image, k: 300, minimumSize: 20)
        // The shapes, the background, and thin regions along the blurred edges.
        #expect(seg.count >= 3 && seg.count <= 30, "\(seg.count) regions")
        // Each shape's inside is one region, different from the other shape's and the background's.
        let a = seg.labels[25 * 120 + 30], b = seg.labels[50 * 120 + 90], bg = seg.labels[5 * 120 + 5]
        #expect(a != b && a != bg && b != bg)
        #expect(seg.labels[15 * 120 + 15] == a && seg.labels[35 * 120 + 45] == a)
    }

    @Test func proposalsIncludeEveryObject() throws {
        let shapes: [([Int], (UInt8, UInt8, UInt8))] = [([20, 20, 80, 70], (200, 30, 30)), ([120, 40, 170, 140], (30, 160, 40)),
                                                        ([200, 100, 280, 180], (240, 220, 40))]
        let image = try Self.scene(width: 320, height: 200, shapes)
        let settings = RegionProposals.Settings(workingSide: 256, scales: [100, 300], minimumRegion: 20, minimumSide: 0.05)
        let boxes = try RegionProposals.boxes(image, settings: settings)
        #expect(boxes.first == [0, 0, 1, 1])
        #expect(boxes.count < 400, "\(boxes.count) proposals")
        for (box, _) in shapes {
            let truth = [Double(box[0]) / 320, Double(box[1]) / 200, Double(box[2]) / 320, Double(box[3]) / 200]
            let best = boxes.map { Self.iou($0, truth) }.max() ?? 0
            #expect(best >= 0.8, "best IoU \(best) for \(box)")
        }
        // A merge of two neighbours is proposed as well.
        #expect(boxes.contains { $0[0] < 0.1 && $0[2] > 0.5 && $0[2] < 0.9 })
    }
}
