import Foundation
import ModelFormats
import TestSupport
import Testing

@Suite struct TFLiteTests {
    @Test func readsBlazeFace() throws {
        let m = try TFLiteModel(path: Fixtures.modelPath("blazeface"))
        let g = m.subgraphs[0]
        #expect(g.tensors[g.inputs[0]].shape == [1, 128, 128, 3])
        let outputs = g.outputs.map { g.tensors[$0].shape }
        #expect(outputs.contains([1, 896, 16]) && outputs.contains([1, 896, 1]))
        let ops = Set(g.operators.map { m.operatorCodes[$0.opcodeIndex].name })
        #expect(ops.contains("CONV_2D") && ops.contains("DEPTHWISE_CONV_2D"))
        // Conv options: stride fields are readable.
        let conv = try #require(g.operators.first { m.operatorCodes[$0.opcodeIndex].name == "CONV_2D" })
        let stride = try conv.options?.int(1) ?? 0
        #expect((1...2).contains(stride))
        // The kernel is float16 data behind a DEQUANTIZE operator.
        let kernel = conv.inputs[1]
        let dequantize = try #require(g.operators.first { $0.outputs == [kernel] })
        #expect(m.operatorCodes[dequantize.opcodeIndex].name == "DEQUANTIZE")
        let source = g.tensors[dequantize.inputs[0]]
        #expect(source.type == .float16)
        let weights = try #require(m.constant(source))
        #expect(weights.count == g.tensors[kernel].shape.reduce(1, *) && weights.allSatisfy(\.isFinite))
    }

    @Test func readsSelfieSegmentationWithCustomOpAndHalfWeights() throws {
        let m = try TFLiteModel(path: Fixtures.modelPath("selfie-segmentation"))
        let g = m.subgraphs[0]
        let names = g.operators.map { m.operatorCodes[$0.opcodeIndex].name }
        #expect(names.contains("Convolution2DTransposeBias"))
        #expect(names.contains("DEQUANTIZE"))
        let halves = g.tensors.filter { $0.type == .float16 && $0.buffer > 0 }
        #expect(!halves.isEmpty)
        #expect(halves.allSatisfy { (m.constant($0) ?? []).allSatisfy(\.isFinite) })
        #expect(g.tensors[g.inputs[0]].shape == [1, 256, 256, 3])
    }

    @Test func malformedFilesNeverCrash() throws {
        for name in ["blazeface", "palm-detection"] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.modelPath(name))))
            var rng = SplitMix(seed: 5)
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 150)) {
                do { _ = try TFLiteModel(source: ByteSource(copying: Array(bytes[0..<cut]))) } catch is ModelFormatError {}
            }
            for _ in 0..<150 {
                var b = bytes
                // Flip bytes in the structure (the first and last 64 KiB hold the tables and vtables).
                for _ in 0..<(1 + Int(rng.next() % 6)) {
                    let window = min(b.count, 65536)
                    let at = rng.next() % 2 == 0 ? Int(rng.next() % UInt64(window)) : b.count - 1 - Int(rng.next() % UInt64(window))
                    b[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                }
                do {
                    let m = try TFLiteModel(source: ByteSource(copying: b))
                    for t in m.subgraphs[0].tensors { _ = m.constant(t) }
                } catch is ModelFormatError {}
            }
        }
    }
}

@Suite struct SafetensorsTests {
    @Test func readsMiniLM() throws {
        let f = try SafetensorsFile(path: Fixtures.modelPath("minilm-l6"))
        let emb = try #require(f.tensor("embeddings.word_embeddings.weight"))
        #expect(emb.shape == [30522, 384] && emb.dtype == .f32)
        #expect(f.tensors.filter { $0.name.hasPrefix("encoder.layer.") && $0.name.hasSuffix("attention.self.query.weight") }.count == 6)
        let ln = try #require(f.tensor("embeddings.LayerNorm.weight"))
        #expect(f.floats(ln).count == 384)
        #expect(f.metadata["format"] == "pt")
    }

    @Test func rejectsBadHeaders() throws {
        func file(_ header: String, data: Int = 8) -> ByteSource {
            var b = [UInt8]()
            var n = UInt64(header.utf8.count)
            for _ in 0..<8 { b.append(UInt8(n & 0xFF)); n >>= 8 }
            return ByteSource(copying: b + Array(header.utf8) + [UInt8](repeating: 0, count: data))
        }
        _ = try SafetensorsFile(source: file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#))
        for bad in [#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
                    #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,800]}}"#,
                    #"{"a":{"dtype":"Q9","shape":[2],"data_offsets":[0,8]}}"#,
                    #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#,
                    #"[1,2]"#, "{"] {
            #expect(throws: ModelFormatError.self, "\(bad)") { try SafetensorsFile(source: file(bad)) }
        }
        var huge = [UInt8](repeating: 0xFF, count: 8)
        huge += [UInt8]("{}".utf8)
        #expect(throws: ModelFormatError.self) { try SafetensorsFile(source: ByteSource(copying: huge)) }
    }
}
