import Foundation
import Perception
import TestSupport
import Testing
import Vision

/// The whole OCR pipeline on the fixture photos, against rapidocr's final results: the same lines in the
/// same order with the same text (a few lines may differ by a character), boxes within a few pixels.
@Suite struct TextReaderTests {
    @Test(arguments: [0, 1, 2])
    func readsTheFixturePhotos(index: Int) throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.root.appendingPathComponent("vision/ppocr.json"))) as! [String: Any]
        let c = (json["cases"] as! [[String: Any]])[index]
        let expected = c["results"] as! [[String: Any]]
        let reader = TextReader(networks: try PPOCRNetworks(detector: Fixtures.modelPath("ppocr-det"), recognizer: Fixtures.modelPath("ppocr-rec"),
                                                          classifier: Fixtures.modelPath("ppocr-cls")))
        let file = (c["image"] as! [String: Any])["file"] as! String
        let lines = try reader.read(try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/\(file)").path))
        // Pair each reference line with the detected line whose box centre is nearest.
        func centre(_ b: [(x: Double, y: Double)]) -> (Double, Double) { (b.map(\.x).reduce(0, +) / 4, b.map(\.y).reduce(0, +) / 4) }
        var found = 0, sameText = 0
        var worst = 0.0
        for e in expected {
            let box = (e["box"] as! [[Double]]).map { (x: $0[0], y: $0[1]) }
            let (cx, cy) = centre(box)
            guard let best = lines.min(by: { hypot(centre($0.box).0 - cx, centre($0.box).1 - cy) < hypot(centre($1.box).0 - cx, centre($1.box).1 - cy) })
            else { continue }
            let distance = hypot(centre(best.box).0 - cx, centre(best.box).1 - cy)
            guard distance <= 8 else { continue }
            found += 1
            worst = max(worst, zip(best.box, box).map { max(abs($0.x - $1.x), abs($0.y - $1.y)) }.max()!)
            if best.text == e["text"] as! String { sameText += 1 } else { print("  differs: \(best.text) | reference \(e["text"] as! String)") }
        }
        print("\(file): \(lines.count) lines (reference \(expected.count)); \(found) found within 8 px, \(sameText) with identical text, worst corner \(worst) px")
        #expect(Double(found) >= 0.9 * Double(expected.count), "\(file): found \(found) of \(expected.count)")
        #expect(Double(sameText) >= 0.75 * Double(expected.count), "\(file): identical text for \(sameText) of \(expected.count)")
    }
}

/// The detector's input stays bounded on both sides (issue 14: a 20000×20 strip scaled its short side up to 736
/// and its long side to 736,000 pixels, 22 GB): long strips and large images are read in tiles whose cores
/// cover the image once, and the fixture photos still take one pass.
@Suite struct DetectionTilingTests {
    @Test func fixtureSizesTakeOnePass() {
        for (w, h) in [(1040, 218), (1000, 716), (640, 682), (480, 332)] {
            #expect(PPOCRNetworks.detectionTiles(width: w, height: h).count == 1, "\(w)×\(h)")
        }
        #expect(PPOCRNetworks.detectionSize(width: 1040, height: 218) == (3520, 736), "the reference's upscale below the cap")
    }

    @Test(arguments: [(20000, 20), (20, 20000), (1000, 10), (40000, 1000), (5200, 5200), (8000, 5000), (700, 7000)])
    func tilesAreBoundedAndCoverTheImageOnce(width: Int, height: Int) {
        let tiles = PPOCRNetworks.detectionTiles(width: width, height: height)
        var covered = [Int](repeating: 0, count: 64 * 64)
        for (tile, core) in tiles {
            let size = PPOCRNetworks.detectionSize(width: tile.x1 - tile.x0, height: tile.y1 - tile.y0)
            #expect(max(size.width, size.height) <= PPOCRNetworks.maximumPassSide && size.width * size.height <= PPOCRNetworks.maximumPassPixels,
                    "\(width)×\(height): a pass of \(size.width)×\(size.height)")
            #expect(tile.x0 >= 0 && tile.y0 >= 0 && tile.x1 <= width && tile.y1 <= height)
            #expect(core.x0 >= tile.x0 && core.x1 <= tile.x1 && core.y0 >= tile.y0 && core.y1 <= tile.y1, "the core lies in its tile")
            // Sample the image on a 64×64 grid of points: each lies in exactly one core.
            for gy in 0..<64 { for gx in 0..<64 {
                let x = (gx * 2 + 1) * width / 128, y = (gy * 2 + 1) * height / 128
                if x >= core.x0, x < core.x1, y >= core.y0, y < core.y1 { covered[gy * 64 + gx] += 1 }
            } }
        }
        #expect(covered.allSatisfy { $0 == 1 }, "\(width)×\(height): cores overlap or leave gaps")
        #expect(tiles.count <= 64, "\(width)×\(height): \(tiles.count) tiles")
    }

    /// A text line repeated thirty times along a 40-pixel strip is read in tiles: every copy once.
    @Test func readsALongStripInTiles() throws {
        let page = try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/images/ocr_typewriter.png").path)
        let line = try page.cropped(x: 20, y: 132, width: 330, height: 40)   // "3 liter water"
        let copies = 30, gap = 40, w = copies * (line.width + gap)
        var pixels = [UInt8](repeating: 255, count: w * line.height * 3)
        for c in 0..<copies {
            for y in 0..<line.height {
                let from = y * line.width * 3, to = (y * w + c * (line.width + gap)) * 3
                pixels.replaceSubrange(to..<(to + line.width * 3), with: line.pixels[from..<(from + line.width * 3)])
            }
        }
        let strip = try RGBImage(width: w, height: line.height, pixels: pixels)
        #expect(PPOCRNetworks.detectionTiles(width: w, height: line.height).count > 1)
        let reader = TextReader(networks: try PPOCRNetworks(detector: Fixtures.modelPath("ppocr-det"), recognizer: Fixtures.modelPath("ppocr-rec"),
                                                          classifier: Fixtures.modelPath("ppocr-cls")))
        let lines = try reader.read(strip)
        // The words of each copy come as separate lines (as when the line alone is read); each copy once.
        let liters = lines.filter { $0.text.contains("liter") }.count, waters = lines.filter { $0.text.contains("water") }.count
        #expect(liters >= copies - 2 && waters >= copies - 2, "\(liters) and \(waters) of \(copies) copies read: \(lines.map(\.text))")
        #expect(liters <= copies && waters <= copies && lines.count <= 3 * copies + 3, "a copy read twice: \(lines.map(\.text))")
        #expect(zip(lines, lines.dropFirst()).allSatisfy { $0.box[0].x < $1.box[0].x }, "in reading order")
    }
}
