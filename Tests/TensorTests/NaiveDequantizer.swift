import Tensor

/// Straightforward dequantisation written from the ggml block-format definitions, independent of the
/// C kernels, used as the reference they are checked against.
enum NaiveDequantizer {
    static func half(_ b: [UInt8], _ o: Int) -> Float { Float(Float16(bitPattern: UInt16(b[o]) | UInt16(b[o + 1]) << 8)) }

    static func dequantize(_ type: GGMLType, _ b: [UInt8], count: Int) -> [Float] {
        var y: [Float] = []
        switch type {
        case .f32:
            for i in 0..<count {
                y.append(Float(bitPattern: UInt32(b[4 * i]) | UInt32(b[4 * i + 1]) << 8 | UInt32(b[4 * i + 2]) << 16 | UInt32(b[4 * i + 3]) << 24))
            }
        case .f16:
            for i in 0..<count { y.append(half(b, 2 * i)) }
        case .bf16:
            for i in 0..<count { y.append(Float(bitPattern: (UInt32(b[2 * i]) | UInt32(b[2 * i + 1]) << 8) << 16)) }
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0:
            for blk in 0..<(count / 32) {
                let o = blk * type.blockBytes
                var vals = [Float](repeating: 0, count: 32)
                switch type {
                case .q4_0:
                    let d = half(b, o)
                    for j in 0..<16 {
                        vals[j] = Float(Int(b[o + 2 + j] & 15) - 8) * d
                        vals[j + 16] = Float(Int(b[o + 2 + j] >> 4) - 8) * d
                    }
                case .q4_1:
                    let d = half(b, o), m = half(b, o + 2)
                    for j in 0..<16 {
                        vals[j] = Float(b[o + 4 + j] & 15) * d + m
                        vals[j + 16] = Float(b[o + 4 + j] >> 4) * d + m
                    }
                case .q5_0, .q5_1:
                    let d = half(b, o), m: Float = type == .q5_1 ? half(b, o + 2) : 0
                    let hOff = type == .q5_1 ? o + 4 : o + 2
                    let qh = UInt32(b[hOff]) | UInt32(b[hOff + 1]) << 8 | UInt32(b[hOff + 2]) << 16 | UInt32(b[hOff + 3]) << 24
                    let offset = type == .q5_0 ? 16 : 0
                    for j in 0..<16 {
                        let lo = Int(b[hOff + 4 + j] & 15) | Int((qh >> UInt32(j)) & 1) << 4
                        let hi = Int(b[hOff + 4 + j] >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
                        vals[j] = Float(lo - offset) * d + m
                        vals[j + 16] = Float(hi - offset) * d + m
                    }
                default:
                    let d = half(b, o)
                    for j in 0..<32 { vals[j] = Float(Int8(bitPattern: b[o + 2 + j])) * d }
                }
                y += vals
            }
        case .q4_K, .q5_K:
            for blk in 0..<(count / 256) {
                let o = blk * type.blockBytes
                let d = half(b, o), dmin = half(b, o + 2)
                let sc = Array(b[(o + 4)..<(o + 16)])
                let qhOff = o + 16, qsOff = type == .q5_K ? o + 48 : o + 16
                var vals = [Float](repeating: 0, count: 256)
                for sub in 0..<8 {
                    let scale: Int, minimum: Int
                    if sub < 4 {
                        scale = Int(sc[sub] & 63); minimum = Int(sc[sub + 4] & 63)
                    } else {
                        scale = Int(sc[sub + 4] & 15) | Int(sc[sub - 4] >> 6) << 4
                        minimum = Int(sc[sub + 4] >> 4) | Int(sc[sub] >> 6) << 4
                    }
                    for l in 0..<32 {
                        let byte = b[qsOff + (sub / 2) * 32 + l]
                        var q = Int(sub % 2 == 0 ? byte & 15 : byte >> 4)
                        if type == .q5_K { q |= Int((b[qhOff + l] >> UInt8(sub)) & 1) << 4 }
                        vals[sub * 32 + l] = d * Float(scale) * Float(q) - dmin * Float(minimum)
                    }
                }
                y += vals
            }
        case .q6_K:
            for blk in 0..<(count / 256) {
                let o = blk * 210
                let d = half(b, o + 208)
                var vals = [Float](repeating: 0, count: 256)
                for i in 0..<256 {
                    let half128 = i / 128, r = i % 128, group = r / 32, l = r % 32
                    let qlByte = b[o + 64 * half128 + l + (group % 2) * 32]
                    let low = Int(group < 2 ? qlByte & 15 : qlByte >> 4)
                    let high = Int((b[o + 128 + 32 * half128 + l] >> UInt8(2 * group)) & 3)
                    let scale = Int8(bitPattern: b[o + 192 + 8 * half128 + 2 * group + l / 16])
                    vals[i] = d * Float(scale) * Float((low | high << 4) - 32)
                }
                y += vals
            }
        }
        return y
    }

    /// Random blocks with finite, moderate scales.
    static func randomBlocks<R: SplitMixLike>(_ type: GGMLType, count: Int, rng: inout R) -> [UInt8] {
        var b = (0..<type.byteCount(elements: count)!).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        func putHalf(_ o: Int, _ v: Float) {
            let bits = Float16(v).bitPattern
            b[o] = UInt8(bits & 0xFF); b[o + 1] = UInt8(bits >> 8)
        }
        func scale() -> Float { Float(rng.next() % 1000 + 1) / 10000 * (rng.next() % 2 == 0 ? 1 : -1) }
        switch type {
        case .f32:
            for i in 0..<count {
                let bits = (Float(Int(rng.next() % 2001) - 1000) / 250).bitPattern
                for k in 0..<4 { b[4 * i + k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(k))) }
            }
        case .f16:
            for i in 0..<count { putHalf(2 * i, Float(Int(rng.next() % 2001) - 1000) / 250) }
        case .bf16:
            for i in 0..<count {
                let bits = (Float(Int(rng.next() % 2001) - 1000) / 250).bitPattern >> 16
                b[2 * i] = UInt8(bits & 0xFF); b[2 * i + 1] = UInt8(bits >> 8)
            }
        default:
            for blk in 0..<(count / type.blockElements) {
                let o = blk * type.blockBytes
                switch type {
                case .q4_1, .q5_1, .q4_K, .q5_K: putHalf(o, scale()); putHalf(o + 2, scale())
                case .q6_K: putHalf(o + 208, scale())
                default: putHalf(o, scale())
                }
            }
        }
        return b
    }
}

/// The random source `randomBlocks` needs.
protocol SplitMixLike { mutating func next() -> UInt64 }
