import CKernels

/// A ggml tensor element type, as stored in GGUF tensor infos: float types and quantized block formats.
///
/// Quantized types store `blockElements` values in `blockBytes` bytes; rows must hold whole blocks.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8
    case q4_K = 12, q5_K = 13, q6_K = 14, bf16 = 30

    /// Values per block (1 for the float types).
    public var blockElements: Int { Int(lk_block_elements(Int32(rawValue))) }
    /// Bytes per block.
    public var blockBytes: Int { Int(lk_block_bytes(Int32(rawValue))) }
    /// Whether dot products take 8-bit quantized activations (`Q8Activations`) rather than floats.
    public var usesQ8Activations: Bool { lk_uses_q8(Int32(rawValue)) != 0 }

    /// Bytes taken by `elements` values, or nil if `elements` is not a whole number of blocks.
    public func byteCount(elements: Int) -> Int? {
        guard elements >= 0, elements % blockElements == 0 else { return nil }
        let (bytes, overflow) = (elements / blockElements).multipliedReportingOverflow(by: blockBytes)
        return overflow ? nil : bytes
    }

    public var description: String { Self.name(of: rawValue) }

    /// The ggml name of any type id, including the ones Loupe does not implement.
    public static func name(of id: UInt32) -> String {
        let names: [UInt32: String] = [
            0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1", 10: "Q2_K",
            11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS",
            19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS", 24: "I8", 25: "I16", 26: "I32",
            27: "I64", 28: "F64", 29: "IQ1_M", 30: "BF16", 34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4",
        ]
        return names[id] ?? "type \(id)"
    }
}
