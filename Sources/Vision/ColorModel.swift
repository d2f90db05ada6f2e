import Foundation

/// A Gaussian mixture over RGB colours (full 3×3 covariances), the colour model of GrabCut. Components are
/// fitted from hard assignments: k-means to start, then each pixel to its most likely component.
struct ColorModel {
    struct Component {
        var weight = 0.0
        var mean = SIMD3<Double>(0, 0, 0)
        var inverse = [Double](repeating: 0, count: 9)   // [3, 3] row-major
        var logNormalizer = 0.0                          // log(weight) - ½ log det Σ - (3/2) log 2π
    }
    private(set) var components: [Component]

    /// Fits `k` components to `colours` (k-means seeded from evenly spaced samples, then one covariance fit).
    init(colours: [SIMD3<Double>], k: Int = 5) {
        let k = max(1, min(k, colours.count))
        var centres = (0..<k).map { colours[($0 * colours.count + colours.count / 2) / k] }
        var label = [Int](repeating: 0, count: colours.count)
        for _ in 0..<6 {
            for (i, c) in colours.enumerated() {
                var best = 0, bestD = Double.infinity
                for (j, m) in centres.enumerated() {
                    let d = c - m, dd = (d * d).sum()
                    if dd < bestD { (best, bestD) = (j, dd) }
                }
                label[i] = best
            }
            var sums = [SIMD3<Double>](repeating: .zero, count: k), counts = [Int](repeating: 0, count: k)
            for (i, c) in colours.enumerated() { sums[label[i]] += c; counts[label[i]] += 1 }
            for j in 0..<k where counts[j] > 0 { centres[j] = sums[j] / Double(counts[j]) }
        }
        components = []
        fit(colours, labels: label, k: k)
    }

    /// Re-fits every component from `labels` (component index per colour); empty components are dropped.
    mutating func fit(_ colours: [SIMD3<Double>], labels: [Int], k: Int) {
        var n = [Double](repeating: 0, count: k)
        var s = [SIMD3<Double>](repeating: .zero, count: k)
        var p = [[Double]](repeating: [Double](repeating: 0, count: 9), count: k)
        for (i, c) in colours.enumerated() {
            let j = labels[i]
            n[j] += 1; s[j] += c
            for r in 0..<3 { for q in 0..<3 { p[j][r * 3 + q] += c[r] * c[q] } }
        }
        let total = Double(colours.count)
        components = (0..<k).compactMap { j -> Component? in
            guard n[j] > 0 else { return nil }
            let mean = s[j] / n[j]
            var cov = (0..<9).map { p[j][$0] / n[j] - mean[$0 / 3] * mean[$0 % 3] }
            for d in 0..<3 { cov[d * 4] += 1e-2 * 255 }   // keeps flat regions from degenerate covariances
            let det = cov[0] * (cov[4] * cov[8] - cov[5] * cov[7]) - cov[1] * (cov[3] * cov[8] - cov[5] * cov[6])
                + cov[2] * (cov[3] * cov[7] - cov[4] * cov[6])
            guard det > 1e-12 else { return nil }
            let inv = [
                (cov[4] * cov[8] - cov[5] * cov[7]) / det, (cov[2] * cov[7] - cov[1] * cov[8]) / det, (cov[1] * cov[5] - cov[2] * cov[4]) / det,
                (cov[5] * cov[6] - cov[3] * cov[8]) / det, (cov[0] * cov[8] - cov[2] * cov[6]) / det, (cov[2] * cov[3] - cov[0] * cov[5]) / det,
                (cov[3] * cov[7] - cov[4] * cov[6]) / det, (cov[1] * cov[6] - cov[0] * cov[7]) / det, (cov[0] * cov[4] - cov[1] * cov[3]) / det,
            ]
            let w = n[j] / total
            return Component(weight: w, mean: mean, inverse: inv, logNormalizer: log(w) - 0.5 * log(det) - 1.5 * log(2 * Double.pi))
        }
    }

    /// log p(c | component j), including the component's weight.
    func logLikelihood(_ c: SIMD3<Double>, component j: Int) -> Double {
        let m = components[j], d = c - m.mean, v = m.inverse
        let q = d.x * (v[0] * d.x + v[1] * d.y + v[2] * d.z) + d.y * (v[3] * d.x + v[4] * d.y + v[5] * d.z)
            + d.z * (v[6] * d.x + v[7] * d.y + v[8] * d.z)
        return m.logNormalizer - 0.5 * q
    }

    /// −log p(c) under the whole mixture (the GrabCut data term), by a running log-sum-exp.
    func cost(_ c: SIMD3<Double>) -> Double {
        var best = -Double.infinity, sum = 0.0
        for j in components.indices {
            let t = logLikelihood(c, component: j)
            if t > best { sum = sum * exp(best - t) + 1; best = t } else { sum += exp(t - best) }
        }
        return -(best + log(sum))
    }

    /// The most likely component of `c`.
    func component(of c: SIMD3<Double>) -> Int {
        var best = 0, bestL = -Double.infinity
        for j in components.indices {
            let l = logLikelihood(c, component: j)
            if l > bestL { (best, bestL) = (j, l) }
        }
        return best
    }

    var count: Int { components.count }
}
