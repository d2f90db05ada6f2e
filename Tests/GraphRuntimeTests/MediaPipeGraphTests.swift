import Foundation
import GraphRuntime
import ModelFormats
import TestSupport
import Testing
import Vision

/// The MediaPipe TFLite graphs through the TFLite importer, on the fixture's exact network inputs,
/// against LiteRT's raw outputs (|Δ| ≤ 1e-3 + 1e-4·|ref|).
@Suite struct MediaPipeGraphTests {
    static func npy(_ name: String) throws -> [Float] {
        try Fixtures.npy(Fixtures.root.appendingPathComponent("vision/mediapipe/npy/\(name).npy"))
    }

    static func input(_ file: String, scale: Float, offset: Float) throws -> GraphTensor {
        let image = try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/mediapipe/netinput/\(file)").path)
        var x = GraphTensor(shape: [1, image.height, image.width, 3])
        for y in 0..<image.height {
            for xx in 0..<image.width {
                let p = image[xx, y]
                for (c, v) in [p.0, p.1, p.2].enumerated() { x.data[(y * image.width + xx) * 3 + c] = Float(v) * scale + offset }
            }
        }
        return x
    }

    static func check(_ out: GraphTensor, _ reference: [Float], _ what: String) {
        #expect(out.count == reference.count, "\(what): \(out.count) values, reference \(reference.count)")
        let worst = zip(out.data, reference).map { abs($0 - $1) - 1e-4 * abs($1) }.max() ?? .infinity
        #expect(worst <= 1e-3, "\(what): worst excess \(worst)")
    }

    @Test(arguments: ["portrait_obama", "group_t1"])
    func blazeFaceRawOutputs(name: String) throws {
        let graph = try TFLiteImporter.importGraph(TFLiteModel(path: Fixtures.modelPath("blazeface")))
        let x = try Self.input("blazeface_\(name)_128.png", scale: 1 / 127.5, offset: -1)
        let out = try GraphExecutor(graph: graph).run([graph.inputs[0]: x])
        let regressors = try #require(out.values.first { $0.shape.last == 16 })
        let scores = try #require(out.values.first { $0.shape.last == 1 })
        Self.check(regressors, try Self.npy("blazeface_\(name)_regressors"), "regressors")
        Self.check(scores, try Self.npy("blazeface_\(name)_classificators"), "classificators")
    }
}

extension MediaPipeGraphTests {
    @Test func palmDetectionRawOutputs() throws {
        let graph = try TFLiteImporter.importGraph(TFLiteModel(path: Fixtures.modelPath("palm-detection")))
        let x = try Self.input("palm_portrait_obama_192.png", scale: 1 / 255, offset: 0)
        let out = try GraphExecutor(graph: graph).run([graph.inputs[0]: x])
        Self.check(try #require(out.values.first { $0.shape.last == 18 }), try Self.npy("palm_portrait_obama_regressors"), "regressors")
        Self.check(try #require(out.values.first { $0.shape.last == 1 }), try Self.npy("palm_portrait_obama_scores"), "scores")
    }

    @Test func selfieSegmentationMask() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.root.appendingPathComponent("vision/selfie_segmentation.json"))) as! [String: Any]
        let output = ((json["cases"] as! [[String: Any]])[0]["outputs"] as! [[String: Any]])[0]
        let graph = try TFLiteImporter.importGraph(TFLiteModel(path: Fixtures.modelPath("selfie-segmentation")))
        let x = try Self.input("selfie_portrait_obama_256.png", scale: 1 / 255, offset: 0)
        let mask = try #require(try GraphExecutor(graph: graph).run([graph.inputs[0]: x]).values.first)
        #expect(mask.shape == [1, 256, 256, 1])
        let indices = (output["sample_indices"] as! [NSNumber]).map(\.intValue), values = (output["sample_values"] as! [NSNumber]).map(\.floatValue)
        let worst = zip(indices, values).map { abs(mask.data[$0] - $1) }.max()!
        #expect(worst <= 1e-4, "mask samples |Δ| \(worst)")
        let mean = mask.data.reduce(0.0) { $0 + Double($1) } / Double(mask.count)
        #expect(abs(mean - (output["mean"] as! NSNumber).doubleValue) <= 1e-4)
        let fraction = Double(mask.data.filter { $0 > 0.5 }.count) / Double(mask.count)
        #expect(abs(fraction - (output["frac_gt_0_5"] as! NSNumber).doubleValue) <= 1e-3)
    }
}
