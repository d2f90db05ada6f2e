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
