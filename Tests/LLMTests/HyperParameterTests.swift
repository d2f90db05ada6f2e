import Foundation
import LLM
import ModelFormats
import Testing

/// Issue 14: a GGUF whose `rope.freq_base` or `rms_epsilon` is NaN generated "!!!!" and exited 0. Hyper-parameters
/// are now range-checked when the configuration is read, and the error names the key.
@Suite struct HyperParameterTests {
    /// A llama GGUF header with the metadata the configuration reads and no tensors.
    static func header(ropeBase: Float, epsilon: Float, context: UInt32 = 2048) -> [UInt8] {
        var b: [UInt8] = []
        func u32(_ v: UInt32) { for i in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
        func u64(_ v: UInt64) { for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        func string(_ s: String) { u64(UInt64(s.utf8.count)); b += Array(s.utf8) }
        func uint(_ key: String, _ v: UInt32) { string(key); u32(4); u32(v) }
        func float(_ key: String, _ v: Float) { string(key); u32(6); u32(v.bitPattern) }
        u32(0x4655_4747); u32(3); u64(0); u64(10)
        string("general.architecture"); u32(8); string("llama")
        uint("llama.block_count", 2); uint("llama.embedding_length", 64); uint("llama.attention.head_count", 4)
        uint("llama.attention.head_count_kv", 2); uint("llama.feed_forward_length", 128); uint("llama.context_length", context)
        float("llama.rope.freq_base", ropeBase); float("llama.attention.layer_norm_rms_epsilon", epsilon)
        string("tokenizer.ggml.tokens"); u32(9); u32(8); u64(3); string("a"); string("b"); string("c")
        while b.count % 32 != 0 { b.append(0) }   // the (empty) tensor data starts aligned
        return b
    }

    static func configuration(_ bytes: [UInt8]) throws -> ModelConfig {
        try Llama.configuration(try GGUFFile(source: ByteSource(copying: bytes)))
    }

    @Test func saneValuesAreRead() throws {
        let config = try Self.configuration(Self.header(ropeBase: 10_000, epsilon: 1e-5))
        #expect(config.ropeBase == 10_000 && config.rmsEpsilon == 1e-5 && config.vocabulary == 3)
    }

    @Test(arguments: [(Float.nan, Float(1e-5), "rope.freq_base"), (Float.infinity, 1e-5, "rope.freq_base"), (-5, 1e-5, "rope.freq_base"),
                      (10_000, .nan, "layer_norm_rms_epsilon"), (10_000, 0, "layer_norm_rms_epsilon"), (10_000, 7, "layer_norm_rms_epsilon")])
    func damagedHyperParametersAreRefused(ropeBase: Float, epsilon: Float, key: String) {
        #expect { try Self.configuration(Self.header(ropeBase: ropeBase, epsilon: epsilon)) } throws: { "\($0)".contains(key) }
    }

    @Test func absurdContextIsRefused() {
        #expect { try Self.configuration(Self.header(ropeBase: 10_000, epsilon: 1e-5, context: 1 << 30)) } throws: { "\($0)".contains("context_length") }
    }
}
