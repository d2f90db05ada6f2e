import Skills
import TestSupport
import Testing

/// Box matching for `loupe bench perception`, against a naive reference that tries every assignment.
@Suite struct DetectionScoreTests {
    @Test func overlapIsIntersectionOverUnion() {
        #expect(DetectionScore.iou([0, 0, 2, 2], [1, 1, 3, 3]) == 1.0 / 7.0)
        #expect(DetectionScore.iou([0, 0, 1, 1], [2, 2, 3, 3]) == 0)
        #expect(DetectionScore.iou([0, 0, 1, 1], [0, 0, 1]) == 0)
        #expect(DetectionScore.iou([0, 0, 4, 4], [0, 0, 4, 4]) == 1)
    }

    @Test func eachBoxCountsOnceAndMissesAreCounted() {
        let truth = [[0.0, 0, 10, 10], [20, 0, 30, 10]]
        // Two predictions on the first box: one hit, one false positive; the second box is missed.
        let s = DetectionScore.match(predicted: [[0, 0, 10, 10], [1, 0, 10, 10]], truth: truth)
        #expect(s == DetectionScore(truePositives: 1, falsePositives: 1, falseNegatives: 1))
        #expect(s.recall == 0.5 && s.precision == 0.5)
        #expect(DetectionScore.match(predicted: [], truth: []).recall == nil)
        #expect(DetectionScore.match(predicted: [[0, 0, 1, 1]], truth: []) == DetectionScore(falsePositives: 1))
    }

    /// The most matches any one-to-one assignment reaches (tries them all).
    static func naive(_ predicted: [[Double]], _ truth: [[Double]], from p: Int = 0, used: Set<Int> = []) -> Int {
        guard p < predicted.count else { return 0 }
        var best = naive(predicted, truth, from: p + 1, used: used)
        for t in truth.indices where !used.contains(t) && DetectionScore.iou(predicted[p], truth[t]) >= 0.5 {
            best = max(best, 1 + naive(predicted, truth, from: p + 1, used: used.union([t])))
        }
        return best
    }

    @Test func greedyMatchesTheBestAssignmentOnSparseScenes() {
        // Objects apart from each other (as in photos): greedy by overlap finds as many matches as any assignment.
        var rng = SplitMix(seed: 7)
        func unit() -> Double { Double(rng.next() % 1000) / 1000 }
        for _ in 0..<200 {
            let truth = (0..<Int(rng.next() % 5)).map { i -> [Double] in let x = Double(i) * 30; return [x, 0, x + 20, 20] }
            let predicted = (0..<Int(rng.next() % 6)).map { _ -> [Double] in
                let x = Double(rng.next() % 5) * 30 + unit() * 8 - 4, y = unit() * 8 - 4
                return [x, y, x + 20 + unit() * 6, y + 20]
            }
            let s = DetectionScore.match(predicted: predicted, truth: truth)
            #expect(s.truePositives == Self.naive(predicted, truth))
            #expect(s.truePositives + s.falsePositives == predicted.count && s.truePositives + s.falseNegatives == truth.count)
        }
    }
}
