import Foundation
import Perception
import TestSupport
import Testing
import Vision

/// MiniLM against `fixtures/vision/minilm.json`: token ids exact, embeddings within the fp32 tolerance
/// (|Δ| ≤ 1e-5 per value, cosine ≥ 0.99999).
@Suite struct MiniLMTests {
    static func load() throws -> (MiniLM, [[String: Any]], [[Double]]) {
        let dir = URL(fileURLWithPath: try Fixtures.modelPath("minilm-l6")).deletingLastPathComponent()
        let model = try MiniLM(directory: dir)
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("vision/minilm.json"))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let sentences = json["sentences"] as! [[String: Any]]
        let embeddings = (json["embeddings"] as! [String: Any])["values"] as! [[Double]]
        return (model, sentences, embeddings)
    }

    @Test func tokenIdsAreExact() throws {
        let (model, sentences, _) = try Self.load()
        for s in sentences {
            let expected = (s["input_ids"] as! [Int]).map(Int32.init)
            #expect(model.tokenizer.encode(s["text"] as! String) == expected, "\(s["text"]!)")
        }
    }

    @Test func embeddingsMatchReference() throws {
        let (model, sentences, embeddings) = try Self.load()
        for (s, reference) in zip(sentences, embeddings) {
            let e = try model.embed(s["text"] as! String)
            let worst = zip(e, reference).map { abs(Double($0) - $1) }.max()!
            let cosine = zip(e, reference).reduce(0.0) { $0 + Double($1.0) * $1.1 }
            #expect(worst <= 1e-5, "\(s["text"]!): max |Δ| \(worst)")
            #expect(cosine >= 0.99999, "\(s["text"]!): cosine \(cosine)")
        }
        let a = try model.embed("The weather is lovely today."), b = try model.embed("It's so sunny outside!")
        #expect(abs(zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } - 0.6660) < 1e-3)
    }
}

/// The PP-OCR recogniser end to end on the fixture's warped line crop (before its resize to 48 px).
@Suite struct PPOCRRecognizerTests {
    @Test func readsTheFirstTypewriterLine() throws {
        let ocr = try PPOCRNetworks(detector: Fixtures.modelPath("ppocr-det"), recognizer: Fixtures.modelPath("ppocr-rec"),
                                    classifier: Fixtures.modelPath("ppocr-cls"))
        let crop = try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/ppocr/netinput/rec_single_crop_rgb.png").path)
        let (text, score) = try ocr.recognize(crop)
        #expect(text == "Linzensoep a la Waterman")
        #expect(score > 0.9)
        #expect(try ocr.upsideDownProbability(crop) < 0.5)
        #expect(try ocr.upsideDownProbability(crop.rotated(quarterTurnsClockwise: 2)) > 0.5)
        #expect(PPOCRNetworks.detectionSize(width: 1000, height: 716) == (1024, 736))
    }
}
