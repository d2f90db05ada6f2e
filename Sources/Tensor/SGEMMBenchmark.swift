import Foundation

/// Measures SGEMM throughput through `BLAS` on square matrices.
public enum SGEMMBenchmark {
    /// Runs `n×n×n` SGEMMs for about `seconds` (after one warm-up call) and returns GFLOP/s.
    public static func run(size n: Int = 2048, seconds: Double = 1.0) throws -> Double {
        let blas = try BLAS.shared()
        var a = [Float](repeating: 0, count: n * n)
        var b = [Float](repeating: 0, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        for i in 0..<(n * n) {
            a[i] = Float(i % 17) * 0.01
            b[i] = Float(i % 13) * 0.02
        }
        func once() {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        blas.sgemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1,
                                   a: pa.baseAddress!, lda: n, b: pb.baseAddress!, ldb: n,
                                   beta: 0, c: pc.baseAddress!, ldc: n)
                    }
                }
            }
        }
        once()
        var calls = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            once()
            calls += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return 2.0 * Double(n) * Double(n) * Double(n) * Double(calls) / elapsed / 1e9
    }
}
