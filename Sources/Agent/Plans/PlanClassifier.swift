import Foundation
import Tensor

/// Multinomial logistic regression: tool choice as classification. Weights `W` `[classes, features]` and
/// biases `[classes]`, trained by full-batch Adam on the class-weighted cross-entropy with L2 regularisation,
/// so a plan with a handful of requests (a new plugin's examples) counts as much as one with hundreds.
public struct PlanClassifier: Sendable {
    public let classes: [String]
    public let features: Int
    /// `[classes, features]`, row-major.
    public private(set) var weights: [Float]
    public private(set) var biases: [Float]

    public struct Options: Sendable {
        public var epochs = 300
        public var learningRate: Float = 0.05
        public var l2: Float = 1e-4
        /// Each class's total weight is the same (balanced), so small classes are not drowned.
        public var balanced = true
        public init() {}
    }

    public init(classes: [String], features: Int, weights: [Float], biases: [Float]) throws {
        guard weights.count == classes.count * features, biases.count == classes.count else {
            throw AgentError.planner("plan classifier: \(weights.count) weights and \(biases.count) biases for \(classes.count) classes × \(features) features")
        }
        (self.classes, self.features, self.weights, self.biases) = (classes, features, weights, biases)
    }

    /// One example: dense features (the sentence embedding) then sparse ones (hashed words), which follow the
    /// dense ones in the weight rows.
    public struct Input: Sendable {
        public var dense: [Float]
        public var sparse: [(index: Int, value: Float)]
        public init(dense: [Float], sparse: [(index: Int, value: Float)] = []) { (self.dense, self.sparse) = (dense, sparse) }
    }

    /// Trains on `inputs` with `labels` (indices into `classes`); `sparseFeatures` is the number of sparse
    /// feature slots after the dense ones.
    public init(classes: [String], inputs: [Input], sparseFeatures: Int = 0, labels: [Int], options: Options = Options()) throws {
        let n = inputs.count, c = classes.count
        guard n > 0, n == labels.count, c >= 1, let dd = inputs.first?.dense.count, dd > 0, inputs.allSatisfy({ $0.dense.count == dd }),
              inputs.allSatisfy({ $0.sparse.allSatisfy { (0..<sparseFeatures).contains($0.index) } }),
              labels.allSatisfy({ (0..<c).contains($0) }) else {
            throw AgentError.planner("plan classifier: no training data, rows of different lengths, or labels or word features out of range")
        }
        let d = dd + sparseFeatures
        let blas = try BLAS.shared()
        let x = inputs.flatMap(\.dense)                                  // [n, dd]
        var counts = [Int](repeating: 0, count: c)
        for l in labels { counts[l] += 1 }
        let present = counts.filter { $0 > 0 }.count
        let sampleWeight = labels.map { options.balanced ? Float(n) / Float(present * counts[$0]) : 1 }
        var w = [Float](repeating: 0, count: c * d), b = [Float](repeating: 0, count: c)   // W [c, d]
        var mw = w, vw = w, mb = b, vb = b
        var logits = [Float](repeating: 0, count: n * c)                // [n, c]
        var gd = [Float](repeating: 0, count: c * dd)                   // gradient of the dense part [c, dd]
        var gw = [Float](repeating: 0, count: c * d)
        var wd = [Float](repeating: 0, count: c * dd)                   // dense part of W, contiguous [c, dd]
        let (beta1, beta2, eps): (Float, Float, Float) = (0.9, 0.999, 1e-8)
        for epoch in 1...options.epochs {
            for j in 0..<c { for i in 0..<dd { wd[j * dd + i] = w[j * d + i] } }
            // logits = Xd · Wdᵀ + Xs · Wsᵀ + b
            x.withUnsafeBufferPointer { xp in wd.withUnsafeBufferPointer { wp in logits.withUnsafeMutableBufferPointer { lp in
                blas.sgemm(transA: false, transB: true, m: n, n: c, k: dd, alpha: 1, a: xp.baseAddress!, lda: dd, b: wp.baseAddress!, ldb: dd,
                           beta: 0, c: lp.baseAddress!, ldc: c)
            } } }
            for (r, input) in inputs.enumerated() where !input.sparse.isEmpty {
                for j in 0..<c {
                    var s: Float = 0
                    for (k, v) in input.sparse { s += w[j * d + dd + k] * v }
                    logits[r * c + j] += s
                }
            }
            // Softmax, then the gradient of the weighted mean cross-entropy with respect to the logits (in place).
            var gb = [Float](repeating: 0, count: c)
            for i in 0..<n {
                var m = -Float.infinity
                for j in 0..<c { logits[i * c + j] += b[j]; m = max(m, logits[i * c + j]) }
                var sum: Float = 0
                for j in 0..<c { let e = expf(logits[i * c + j] - m); logits[i * c + j] = e; sum += e }
                let s = sampleWeight[i] / Float(n)
                for j in 0..<c {
                    let g = (logits[i * c + j] / sum - (j == labels[i] ? 1 : 0)) * s
                    logits[i * c + j] = g
                    gb[j] += g
                }
            }
            // gW = Gᵀ · X: dense part by BLAS, sparse part scattered.
            logits.withUnsafeBufferPointer { gp in x.withUnsafeBufferPointer { xp in gd.withUnsafeMutableBufferPointer { wp in
                blas.sgemm(transA: true, transB: false, m: c, n: dd, k: n, alpha: 1, a: gp.baseAddress!, lda: c, b: xp.baseAddress!, ldb: dd,
                           beta: 0, c: wp.baseAddress!, ldc: dd)
            } } }
            for j in 0..<c {
                for i in 0..<dd { gw[j * d + i] = gd[j * dd + i] }
                for i in dd..<d { gw[j * d + i] = 0 }
            }
            for (r, input) in inputs.enumerated() {
                for j in 0..<c {
                    let g = logits[r * c + j]
                    for (k, v) in input.sparse { gw[j * d + dd + k] += g * v }
                }
            }
            let t = Float(epoch)
            let lr = options.learningRate * (1 - powf(beta2, t)).squareRoot() / (1 - powf(beta1, t))
            for i in 0..<(c * d) {
                let g = gw[i] + options.l2 * w[i]
                mw[i] = beta1 * mw[i] + (1 - beta1) * g
                vw[i] = beta2 * vw[i] + (1 - beta2) * g * g
                w[i] -= lr * mw[i] / (vw[i].squareRoot() + eps)
            }
            for j in 0..<c {
                mb[j] = beta1 * mb[j] + (1 - beta1) * gb[j]
                vb[j] = beta2 * vb[j] + (1 - beta2) * gb[j] * gb[j]
                b[j] -= lr * mb[j] / (vb[j].squareRoot() + eps)
            }
        }
        try self.init(classes: classes, features: d, weights: w, biases: b)
    }

    /// Class probabilities for one input, in `classes` order.
    public func probabilities(_ input: Input) -> [Float] {
        let dd = input.dense.count
        precondition(dd <= features && input.sparse.allSatisfy { dd + $0.index < features },
                     "plan classifier: input larger than its \(features) features")
        var z = biases
        for j in 0..<classes.count {
            var s: Float = 0
            let row = j * features
            for i in 0..<dd { s += weights[row + i] * input.dense[i] }
            for (k, v) in input.sparse { s += weights[row + dd + k] * v }
            z[j] += s
        }
        let m = z.max() ?? 0
        let e = z.map { expf($0 - m) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }

    /// Serialised: "LPPC", version, classes, features, names (length-prefixed UTF-8), weights, biases.
    public var data: Data {
        var out = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        u32(0x4350_504C); u32(1); u32(UInt32(classes.count)); u32(UInt32(features))
        for name in classes { let b = Array(name.utf8); u32(UInt32(b.count)); out.append(contentsOf: b) }
        for v in weights + biases { u32(v.bitPattern) }
        return out
    }

    /// Reads `data`, checking every length against the bytes present.
    public init(data: Data) throws {
        var at = 0
        func fail(_ why: String) -> AgentError { .planner("plan classifier file: \(why)") }
        func u32() throws -> UInt32 {
            guard at + 4 <= data.count else { throw fail("truncated at byte \(at)") }
            defer { at += 4 }
            return data.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        }
        guard try u32() == 0x4350_504C, try u32() == 1 else { throw fail("not a plan classifier (bad magic or version)") }
        let c = Int(try u32()), d = Int(try u32())
        guard (1...10_000).contains(c), (1...65_536).contains(d), c * (d + 1) * 4 <= data.count else { throw fail("\(c) classes × \(d) features do not fit the file") }
        var names: [String] = []
        for _ in 0..<c {
            let len = Int(try u32())
            guard len <= 256, at + len <= data.count else { throw fail("class name of \(len) bytes runs past the end") }
            names.append(String(decoding: data[(data.startIndex + at)..<(data.startIndex + at + len)], as: UTF8.self))
            at += len
        }
        var values: [Float] = []
        values.reserveCapacity(c * (d + 1))
        for _ in 0..<(c * (d + 1)) { values.append(Float(bitPattern: try u32())) }
        guard values.allSatisfy(\.isFinite) else { throw fail("weights that are not finite") }
        try self.init(classes: names, features: d, weights: Array(values[..<(c * d)]), biases: Array(values[(c * d)...]))
    }
}
