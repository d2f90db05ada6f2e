import Foundation
import GraphRuntime
import ModelFormats
import TestSupport
import Testing
import Vision

/// The PP-OCRv4 recognition graph on the fixture's single crop: per-step argmax identical to
/// onnxruntime, probabilities within 1e-4, and the CTC-decoded text.
@Suite struct PPOCRRecognitionGraphTests {
    @Test func recognisesTheFirstTypewriterLine() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.root.appendingPathComponent("vision/ppocr.json"))) as! [String: Any]
        let single = json["rec_single_crop"] as! [String: Any]
        let image = try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/ppocr/netinput/rec_single_crop_resized48_rgb.png").path)
        let (h, w) = (image.height, image.width)
        var x = GraphTensor(shape: [1, 3, h, w])
        for yy in 0..<h {
            for xx in 0..<w {
                let p = image[xx, yy]
                for (c, v) in [p.0, p.1, p.2].enumerated() { x.data[(c * h + yy) * w + xx] = (Float(v) / 255 - 0.5) / 0.5 }
            }
        }
        let model = try ONNXModel(path: Fixtures.modelPath("ppocr-rec"))
        let graph = try ONNXImporter.importGraph(model)
        let out = try #require(try GraphExecutor(graph: graph).run([graph.inputs[0]: x])[graph.outputs[0]])
        let expectedArgmax = (single["argmax_per_step"] as! [NSNumber]).map(\.intValue)
        let expectedMax = (single["maxprob_per_step"] as! [NSNumber]).map(\.floatValue)
        #expect(out.shape == [1, expectedArgmax.count, 6625])
        let classes = out.shape[2]
        var argmax: [Int] = [], maxProb: [Float] = []
        for t in 0..<out.shape[1] {
            let row = out.data[(t * classes)..<((t + 1) * classes)]
            let best = row.indices.max { row[$0] < row[$1] }!
            argmax.append(best - t * classes)
            maxProb.append(row[best])
        }
        #expect(argmax == expectedArgmax)
        let worst = zip(maxProb, expectedMax).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-4, "max-prob |Δ| \(worst)")
        // CTC: collapse repeats, drop blanks (0); index i is character i-1 of the model's list, the last is a space.
        let characters = model.metadata["character"]!.components(separatedBy: "\n") + [" "]
        var text = "", previous = 0
        for k in argmax {
            if k != 0, k != previous { text += characters[k - 1] }
            previous = k
        }
        #expect(text == (single["decoded"] as! [String: Any])["text"] as! String)
    }
}
