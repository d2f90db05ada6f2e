import Foundation
import ModelFormats
import TestSupport
import Testing

@Suite struct ONNXTests {
    @Test func readsPPOCRDetection() throws {
        let model = try ONNXModel(path: Fixtures.modelPath("ppocr-det"))
        let ops = Set(model.graph.nodes.map(\.opType))
        // The operators models.md lists for this graph.
        #expect(ops.isSuperset(of: ["Conv", "ConvTranspose", "BatchNormalization", "Add", "Mul", "HardSigmoid", "Resize", "Concat", "Sigmoid"]))
        #expect(model.graph.inputs.first?.shape.count == 4)
        // Weights sit in Constant nodes; they decode to the declared sizes.
        let constants = model.graph.nodes.filter { $0.opType == "Constant" }
        #expect(constants.count > 100)
        var weights = 0
        for c in constants {
            let t = try #require(c.attributes["value"]?.tensor, "Constant \(c.name) without a tensor")
            #expect(t.floatValues().count == t.count)
            weights += t.count
        }
        #expect(weights > 1_000_000)
        let conv = try #require(model.graph.nodes.first { $0.opType == "Conv" })
        #expect(conv.attributes["kernel_shape"]?.ints?.count == 2)
    }

    @Test func readsRecognitionCharacterList() throws {
        let model = try ONNXModel(path: Fixtures.modelPath("ppocr-rec"))
        let characters = try #require(model.metadata["character"])
        let fixture = try String(contentsOf: Fixtures.root.appendingPathComponent("vision/ppocr/rec_charset.txt"), encoding: .utf8)
        #expect(characters.split(separator: "\n", omittingEmptySubsequences: false).count == 6623)
        #expect(characters.split(separator: "\n").prefix(100) == fixture.split(separator: "\n").prefix(100))
        let ops = Set(model.graph.nodes.map(\.opType))
        #expect(ops.isSuperset(of: ["MatMul", "Softmax", "ReduceMean", "Reshape", "Transpose"]))
    }

    /// Truncations and flipped bytes give typed errors or a parse, never a crash.
    @Test func malformedFilesNeverCrash() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.modelPath("ppocr-cls"))))
        var rng = SplitMix(seed: 21)
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 200)) {
            do { _ = try ONNXModel(source: ByteSource(copying: Array(bytes[0..<cut]))) } catch is ModelFormatError {}
        }
        for _ in 0..<200 {
            var b = bytes
            for _ in 0..<(1 + Int(rng.next() % 8)) { b[Int(rng.next() % UInt64(b.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
            do {
                let m = try ONNXModel(source: ByteSource(copying: b))
                for n in m.graph.nodes { _ = n.attributes["value"]?.tensor?.floatValues() }
            } catch is ModelFormatError {}
        }
        #expect(throws: ModelFormatError.self) { try ONNXModel(source: ByteSource(copying: [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])) }
    }
}
