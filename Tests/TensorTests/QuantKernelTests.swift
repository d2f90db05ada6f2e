import CKernels
import Foundation
import Tensor
import TestSupport
import Testing

extension SplitMix: SplitMixLike {}

/// The C kernels (AVX-512 and scalar) against the naive Swift reference, on random blocks of every type.
@Suite(.serialized) struct QuantKernelTests {
    static let count = 1024

    static func withBoth(_ body: (String) throws -> Void) rethrows {
        defer { KernelPool.setSIMD(true) }
        KernelPool.setSIMD(true)
        try body(KernelPool.usesSIMD ? "avx512" : "scalar(auto)")
        KernelPool.setSIMD(false)
        try body("scalar")
    }

    @Test(arguments: GGMLType.allCases)
    func dequantizeMatchesReference(type: GGMLType) {
        var rng = SplitMix(seed: UInt64(type.rawValue) + 1)
        let blocks = NaiveDequantizer.randomBlocks(type, count: Self.count, rng: &rng)
        let reference = NaiveDequantizer.dequantize(type, blocks, count: Self.count)
        Self.withBoth { path in
            var out = [Float](repeating: .nan, count: Self.count)
            blocks.withUnsafeBytes { b in out.withUnsafeMutableBufferPointer { lk_dequantize(Int32(type.rawValue), b.baseAddress, $0.baseAddress, Int64(Self.count)) } }
            let worst = zip(out, reference).map { abs($0 - $1) / max(1e-3, abs($1)) }.max()!
            #expect(worst < 1e-5, "\(type) \(path): worst relative error \(worst)")
        }
    }

    @Test(arguments: GGMLType.allCases)
    func dotMatchesReference(type: GGMLType) {
        var rng = SplitMix(seed: UInt64(type.rawValue) + 100)
        let blocks = NaiveDequantizer.randomBlocks(type, count: Self.count, rng: &rng)
        let w = NaiveDequantizer.dequantize(type, blocks, count: Self.count)
        let x = (0..<Self.count).map { _ in Float(Int(rng.next() % 2001) - 1000) / 300 }
        Self.withBoth { path in
            // The activations the kernel sees: float for float types, 8-bit blocks otherwise.
            var effective = x
            let q8 = Q8Activations(capacity: Self.count)
            if type.usesQ8Activations {
                x.withUnsafeBufferPointer { q8.quantize($0.baseAddress!, count: Self.count) }
                for i in 0..<Self.count {
                    let blk = q8.blocks[i / 32]
                    let q = withUnsafeBytes(of: blk.qs) { Int8(bitPattern: $0[i % 32]) }
                    effective[i] = blk.d * Float(q)
                    #expect(abs(effective[i] - x[i]) <= blk.d * 0.5001 + 1e-6, "q8 rounding at \(i)")
                }
            }
            let reference = zip(w, effective).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let magnitude = zip(w, effective).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
            let result = blocks.withUnsafeBytes { b in
                x.withUnsafeBufferPointer { xf in
                    lk_dot(Int32(type.rawValue), b.baseAddress,
                           type.usesQ8Activations ? UnsafeRawPointer(q8.blocks) : UnsafeRawPointer(xf.baseAddress!), Int64(Self.count))
                }
            }
            #expect(abs(Double(result) - reference) <= 1e-5 * magnitude + 1e-5, "\(type) \(path): \(result) vs \(reference)")
        }
    }

    @Test func matvecMatchesRowDots() {
        let type = GGMLType.q5_0, rows = 37, cols = 256
        var rng = SplitMix(seed: 7)
        let blocks = NaiveDequantizer.randomBlocks(type, count: rows * cols, rng: &rng)
        let x = (0..<cols).map { _ in Float(Int(rng.next() % 2001) - 1000) / 300 }
        let pool = KernelPool(threads: 2)
        let q8 = Q8Activations(capacity: cols)
        x.withUnsafeBufferPointer { q8.quantize($0.baseAddress!, count: cols) }
        blocks.withUnsafeBytes { b in
            let m = QuantizedMatrix(type: type, rows: rows, cols: cols, data: b.baseAddress!, owner: pool)
            var y = [Float](repeating: 0, count: rows)
            x.withUnsafeBufferPointer { xf in y.withUnsafeMutableBufferPointer { m.multiply(q8: q8, xf: xf.baseAddress!, into: $0.baseAddress!, pool: pool) } }
            for r in 0..<rows {
                let single = lk_dot(Int32(type.rawValue), b.baseAddress! + r * m.rowBytes, q8.blocks, Int64(cols))
                #expect(y[r] == single, "row \(r)")
            }
            var rowsOut = [Float](repeating: 0, count: 5 * cols)
            rowsOut.withUnsafeMutableBufferPointer { m.dequantizeRows(3..<8, into: $0.baseAddress!, pool: pool) }
            let reference = NaiveDequantizer.dequantize(type, Array(blocks[(3 * m.rowBytes)..<(8 * m.rowBytes)]), count: 5 * cols)
            #expect(zip(rowsOut, reference).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        }
    }

    /// Shapes: small heads with a tail of positions; the 0.5B planner's 14 heads over 2 KV heads (7 per KV head,
    /// split 4 + 3) with two blocks of 16 positions; head dimension 128; a single position.
    @Test(arguments: [(4, 2, 32, 19), (14, 2, 64, 37), (2, 1, 128, 33), (9, 3, 64, 1)])
    func attentionMatchesNaive(shape: (Int, Int, Int, Int)) {
        let (heads, kvHeads, hd, t) = shape
        var rng = SplitMix(seed: 3)
        func random(_ n: Int) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 500 } }
        let q = random(heads * hd), k = random(t * kvHeads * hd), v = random(t * kvHeads * hd)
        let pool = KernelPool(threads: 2)
        var out = [Float](repeating: 0, count: heads * hd)
        var scratch = [Float](repeating: 0, count: 2 * Int(LK_ATTENTION_HEADS_PER_TASK) * t)
        Self.withBoth { path in
            lk_attention_decode(pool.raw, q, k, v, Int64(t), Int32(heads), Int32(kvHeads), Int32(hd), 0.3, &out, &scratch)
            for h in 0..<heads {
                let kv = h / (heads / kvHeads)
                var s = (0..<t).map { p in (0..<hd).reduce(Float(0)) { $0 + q[h * hd + $1] * k[(p * kvHeads + kv) * hd + $1] } * 0.3 }
                let m = s.max()!
                s = s.map { expf($0 - m) }
                let z = s.reduce(0, +)
                for i in 0..<hd {
                    let expected = (0..<t).reduce(Float(0)) { $0 + s[$1] / z * v[($1 * kvHeads + kv) * hd + i] }
                    #expect(abs(out[h * hd + i] - expected) < 1e-5, "\(path) head \(h) dim \(i)")
                }
            }
        }
    }

    @Test func causalSoftmaxAndSwiGLU() {
        let pool = KernelPool(threads: 2)
        var rng = SplitMix(seed: 5)
        let rows = 6, cols = 40
        let input = (0..<(rows * cols)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 100 }
        Self.withBoth { path in
            var s = input
            lk_causal_softmax(pool.raw, &s, Int64(rows), Int64(cols), Int64(cols), 30, 2)
            for r in 0..<rows {
                let visible = 30 + r / 2 + 1
                let row = Array(input[(r * cols)..<(r * cols + visible)])
                let m = row.max()!
                let z = row.reduce(Float(0)) { $0 + expf($1 - m) }
                for c in 0..<cols {
                    let expected = c < visible ? expf(row[c] - m) / z : 0
                    #expect(abs(s[r * cols + c] - expected) < 1e-6, "\(path) softmax \(r),\(c)")
                }
            }
            let n = 1000
            var gate = (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 50 }
            let up = (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 100 }
            let expected = zip(gate, up).map { $0 / (1 + expf(-$0)) * $1 }
            lk_swiglu(pool.raw, &gate, up, Int64(n))
            #expect(zip(gate, expected).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }, "\(path) swiglu")
        }
    }
}

@Suite struct BF16GemmTests {
    /// bfloat16 rounding as the kernel does it (round to nearest even).
    static func bf16(_ x: Float) -> Float {
        let bits = x.bitPattern
        let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
        return Float(bitPattern: rounded)
    }

    /// Runs only where the CPU has AVX-512 BF16 (elsewhere the prefill uses SGEMM and this kernel is never called).
    @Test(.enabled(if: lk_gemm_bf16_supported() != 0), arguments: [GGMLType.q8_0, .q5_0, .q4_K, .q6_K, .f32])
    func matchesNaiveProduct(type: GGMLType) throws {
        try check(type: type, k: 256)
    }

    /// Widths whose pairs are not a multiple of 16 go through the panel's scalar tail.
    @Test(.enabled(if: lk_gemm_bf16_supported() != 0), arguments: [34, 98])
    func oddWidthsMatchTheNaiveProduct(k: Int) throws {
        try check(type: .f32, k: k)
    }

    func check(type: GGMLType, k: Int) throws {
        let rows = 37, t = 11
        var rng = SplitMix(seed: UInt64(type.rawValue) + 77)
        let blocks = NaiveDequantizer.randomBlocks(type, count: rows * k, rng: &rng)
        let w = NaiveDequantizer.dequantize(type, blocks, count: rows * k)
        let x = (0..<(t * k)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 300 }
        var y = [Float](repeating: .nan, count: t * (rows + 3))
        let pool = KernelPool(threads: 2)
        let status = blocks.withUnsafeBytes { b in
            lk_gemm_bf16(pool.raw, Int32(type.rawValue), b.baseAddress, type.byteCount(elements: k)!, Int64(rows), Int64(k),
                         x, Int64(t), &y, Int64(rows + 3))
        }
        #expect(status == 0)
        for i in 0..<t {
            for n in 0..<rows {
                var exact = 0.0, magnitude = 0.0
                for j in 0..<k {
                    let p = Double(Self.bf16(w[n * k + j])) * Double(Self.bf16(x[i * k + j]))
                    exact += p
                    magnitude += abs(p)
                }
                #expect(abs(Double(y[i * (rows + 3) + n]) - exact) <= 1e-5 * magnitude + 1e-5, "t \(i) row \(n)")
            }
            #expect(y[i * (rows + 3) + rows].isNaN, "wrote past the rows")
        }
    }
}
