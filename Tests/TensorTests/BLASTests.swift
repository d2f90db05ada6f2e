import Foundation
import Tensor
import Testing

@Suite struct BLASTests {
    struct Case: Sendable, CustomStringConvertible {
        let m, n, k: Int
        let transA, transB: Bool
        let alpha, beta: Float
        let pad: Int   // extra columns in every leading dimension
        var description: String { "\(m)x\(n)x\(k) tA=\(transA) tB=\(transB) a=\(alpha) b=\(beta) pad=\(pad)" }
    }

    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 40) % 2001 - 1000) / 1000
        }
    }

    @Test(arguments: [
        Case(m: 1, n: 1, k: 1, transA: false, transB: false, alpha: 1, beta: 0, pad: 0),
        Case(m: 7, n: 5, k: 3, transA: false, transB: false, alpha: 1, beta: 0, pad: 0),
        Case(m: 33, n: 17, k: 65, transA: true, transB: false, alpha: 0.5, beta: 0, pad: 3),
        Case(m: 64, n: 96, k: 40, transA: false, transB: true, alpha: 1, beta: 1, pad: 0),
        Case(m: 129, n: 31, k: 200, transA: true, transB: true, alpha: -2, beta: 0.25, pad: 5),
        Case(m: 300, n: 257, k: 128, transA: false, transB: false, alpha: 1, beta: 0, pad: 0),
    ])
    func sgemmMatchesNaive(_ c: Case) throws {
        let blas = try BLAS.shared()
        let aRows = c.transA ? c.k : c.m, aCols = c.transA ? c.m : c.k
        let bRows = c.transB ? c.n : c.k, bCols = c.transB ? c.k : c.n
        let lda = aCols + c.pad, ldb = bCols + c.pad, ldc = c.n + c.pad
        let a = Self.random(aRows * lda, seed: 1), b = Self.random(bRows * ldb, seed: 2)
        var out = Self.random(c.m * ldc, seed: 3)
        var expected = out
        for i in 0..<c.m {
            for j in 0..<c.n {
                var acc: Double = 0
                for p in 0..<c.k {
                    let av = c.transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = c.transB ? b[j * ldb + p] : b[p * ldb + j]
                    acc += Double(av) * Double(bv)
                }
                expected[i * ldc + j] = Float(Double(c.alpha) * acc + Double(c.beta) * Double(expected[i * ldc + j]))
            }
        }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    blas.sgemm(transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
                               a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                               beta: c.beta, c: pc.baseAddress!, ldc: ldc)
                }
            }
        }
        var worst: Float = 0
        for i in 0..<c.m { for j in 0..<c.n { worst = max(worst, abs(out[i * ldc + j] - expected[i * ldc + j])) } }
        #expect(worst < 1e-3 * Float(max(1, c.k)) / 10, "max error \(worst)")
        // Padding columns of C are untouched.
        if c.pad > 0 { #expect(out[c.n] == expected[c.n]) }
    }

    @Test(arguments: [false, true])
    func sgemvMatchesNaive(_ trans: Bool) throws {
        let blas = try BLAS.shared()
        let m = 37, n = 53, lda = 60
        let a = Self.random(m * lda, seed: 4)
        let x = Self.random(trans ? m : n, seed: 5)
        var y = Self.random(trans ? n : m, seed: 6)
        var expected = y
        for r in 0..<(trans ? n : m) {
            var acc: Double = 0
            for p in 0..<(trans ? m : n) { acc += Double(trans ? a[p * lda + r] : a[r * lda + p]) * Double(x[p]) }
            expected[r] = Float(1.5 * acc + 0.5 * Double(expected[r]))
        }
        a.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    blas.sgemv(trans: trans, m: m, n: n, alpha: 1.5, a: pa.baseAddress!, lda: lda,
                               x: px.baseAddress!, beta: 0.5, y: py.baseAddress!)
                }
            }
        }
        #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    @Test func coreTypeFollowsCPUFeatures() throws {
        let blas = try BLAS.shared()
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil || blas.coreTypeSource.hasPrefix("chosen"),
           let wanted = CPUFeatures.current.openBLASCoreType {
            #expect(blas.coreName.lowercased() == wanted.lowercased())
        }
        #expect(blas.threads >= 1)
    }

    @Test func cpuinfoParsing() {
        let text = """
        processor\t: 0
        model name\t: Test CPU
        flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw avx512dq avx512vl

        processor\t: 1
        flags\t\t: fpu
        """
        let cpu = CPUFeatures(cpuinfo: text)
        #expect(cpu.modelName == "Test CPU")
        #expect(cpu.hasAVX512 && cpu.openBLASCoreType == "SkylakeX")
        #expect(CPUFeatures(modelName: "x", flags: ["avx", "avx2", "fma"]).openBLASCoreType == "Haswell")
        #expect(CPUFeatures(modelName: "x", flags: ["avx"]).openBLASCoreType == "Sandybridge")
        #expect(CPUFeatures(modelName: "x", flags: ["sse2"]).openBLASCoreType == nil)
    }
}
