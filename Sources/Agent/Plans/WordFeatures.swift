/// Words as features beside a sentence embedding: lower-cased words and word pairs hashed into a fixed number
/// of buckets, L2-normalised and scaled. Cue words the embedding blurs ("according to", "mean", "cut out")
/// then count on their own.
public struct WordFeatures: Sendable, Equatable {
    /// Buckets (0: no word features).
    public var buckets: Int
    /// Length of the word part relative to the unit-length embedding.
    public var scale: Float
    /// Also hash the letter triples of each word ("#co", "col", …), so a typo changes few features.
    public var letterTriples: Bool

    public init(buckets: Int = 0, scale: Float = 1, letterTriples: Bool = false) {
        (self.buckets, self.scale, self.letterTriples) = (buckets, scale, letterTriples)
    }

    /// The non-zero features of `text`: (bucket, value) pairs.
    public func sparse(_ text: String) -> [(index: Int, value: Float)] {
        guard buckets > 0 else { return [] }
        var v: [Int: Float] = [:]
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "'") }.map(String.init)
        func add(_ s: String) {
            let h = s.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
            v[Int(h % UInt64(buckets)), default: 0] += 1
        }
        for (i, w) in words.enumerated() {
            add(w)
            if i + 1 < words.count { add(w + " " + words[i + 1]) }
            if letterTriples {
                let padded = Array("#" + w + "#")
                if padded.count > 3 { for k in 0...(padded.count - 3) { add("~" + String(padded[k..<(k + 3)])) } }
            }
        }
        let norm = v.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.sorted { $0.key < $1.key }.map { (index: $0.key, value: $0.value / norm * scale) }
    }
}
