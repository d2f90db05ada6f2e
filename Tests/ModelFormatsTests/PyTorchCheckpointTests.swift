import Foundation
import ModelFormats
import TestSupport
import Testing

@Suite struct PyTorchCheckpointTests {
    @Test func readsEfficientNetStateDict() throws {
        let ckpt = try PyTorchCheckpoint(path: Fixtures.modelPath("efficientnet-lite0"))
        let stem = try #require(ckpt.tensor("_conv_stem.weight"))
        #expect(stem.shape == [32, 3, 3, 3] && stem.dtype == .float32)
        let fc = try #require(ckpt.tensor("_fc.weight"))
        #expect(fc.shape == [1000, 1280])
        let parameters = ckpt.tensors.filter { !$0.name.hasSuffix("num_batches_tracked") }.reduce(0) { $0 + $1.count }
        #expect((4_600_000...4_700_000).contains(parameters), "\(parameters) parameters")
        let values = ckpt.floats(stem)
        #expect(values.count == 864 && values.allSatisfy(\.isFinite))
        #expect(values.contains { $0 != 0 })
        // BatchNorm running statistics come through too.
        let variance = try #require(ckpt.tensor("_bn0.running_var"))
        #expect(variance.shape == [32] && ckpt.floats(variance).allSatisfy { $0 >= 0 && $0.isFinite })
    }

    @Test func malformedFilesNeverCrash() throws {
        let path = try Fixtures.modelPath("efficientnet-lite0")
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        let full = [UInt8](try handle.readToEnd() ?? Data())
        try handle.close()
        var rng = SplitMix(seed: 8)
        for cut in stride(from: 0, to: 50_000, by: 997) {
            do { _ = try PyTorchCheckpoint(source: ByteSource(copying: Array(full[0..<cut]))) } catch is ModelFormatError {}
        }
        for _ in 0..<150 {
            var b = full
            for _ in 0..<(1 + Int(rng.next() % 4)) { b[Int(rng.next() % 45_000)] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
            do {
                let c = try PyTorchCheckpoint(source: ByteSource(copying: b))
                for t in c.tensors.prefix(5) { _ = c.floats(t) }
            } catch is ModelFormatError {}
        }
        #expect(throws: ModelFormatError.self) { try PyTorchCheckpoint(source: ByteSource(copying: [0x80, 0x02, 0x4E, 0x2E])) }
    }
}
