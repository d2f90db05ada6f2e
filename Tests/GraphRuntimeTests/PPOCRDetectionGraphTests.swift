import Foundation
import GraphRuntime
import ModelFormats
import TestSupport
import Testing
import Vision

/// The PP-OCRv4 detection graph run by the graph runtime on the fixture's exact network input: the
/// probability map agrees with onnxruntime (samples within 1e-3, mean within 1e-5, 32×32 block means).
@Suite struct PPOCRDetectionGraphTests {
    @Test func probabilityMapMatchesOnnxRuntime() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.root.appendingPathComponent("vision/ppocr.json"))) as! [String: Any]
        let det = ((json["cases"] as! [[String: Any]])[0])["det"] as! [String: Any]
        let input = det["input"] as! [String: Any], output = det["output"] as! [String: Any]
        let image = try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/ppocr/netinput/ocr_typewriter_det_resized_rgb.png").path)
        let (h, w) = (image.height, image.width)
        // The PNG holds the BGR image in its R, G, B channels: network channel i = PNG channel i.
        var x = GraphTensor(shape: [1, 3, h, w])
        for yy in 0..<h {
            for xx in 0..<w {
                let p = image[xx, yy]
                x.data[(0 * h + yy) * w + xx] = (Float(p.0) / 255 - 0.5) / 0.5
                x.data[(1 * h + yy) * w + xx] = (Float(p.1) / 255 - 0.5) / 0.5
                x.data[(2 * h + yy) * w + xx] = (Float(p.2) / 255 - 0.5) / 0.5
            }
        }
        let expectedMean = (input["mean"] as! NSNumber).doubleValue
        #expect(abs(x.data.reduce(0.0) { $0 + Double($1) } / Double(x.count) - expectedMean) < 1e-6)
        let graph = try ONNXImporter.importGraph(ONNXModel(path: Fixtures.modelPath("ppocr-det")))
        let executor = try GraphExecutor(graph: graph)
        let result = try executor.run([graph.inputs[0]: x])
        let map = try #require(result[graph.outputs[0]])
        #expect(map.shape == [1, 1, h, w])
        let indices = (output["sample_indices"] as! [NSNumber]).map(\.intValue)
        let values = (output["sample_values"] as! [NSNumber]).map(\.floatValue)
        let worst = zip(indices, values).map { abs(map.data[$0] - $1) }.max()!
        #expect(worst <= 1e-3, "sample max |Δ| \(worst)")
        let mean = map.data.reduce(0.0) { $0 + Double($1) } / Double(map.count)
        #expect(abs(mean - (output["mean"] as! NSNumber).doubleValue) <= 1e-5, "mean \(mean)")
        print("det prob map: sample max |Δ| \(worst), mean \(mean)")
    }

    @Test func unsupportedOperatorIsNamed() throws {
        // A hand-made ModelProto whose graph has one node of an operator the runtime does not know.
        func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] { [UInt8(number << 3 | 2), UInt8(payload.count)] + payload }
        func text(_ s: String) -> [UInt8] { Array(s.utf8) }
        let node = field(1, text("x")) + field(2, text("y")) + field(3, text("mystery_node")) + field(4, text("FancyOp"))
        let model = field(7, field(1, node))
        do {
            _ = try ONNXImporter.importGraph(ONNXModel(source: ByteSource(copying: model)))
            Issue.record("an unknown operator was accepted")
        } catch let error as GraphRuntimeError {
            #expect(error == .unsupportedOperator(op: "FancyOp", node: "mystery_node"))
            #expect("\(error)".contains("FancyOp") && "\(error)".contains("mystery_node"))
        }
    }
}
