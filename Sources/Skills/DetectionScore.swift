/// How a detector's boxes compare with hand-drawn ones (`loupe bench perception`): each predicted box is
/// matched to at most one true box, best overlap first, when their intersection over union is at least the
/// threshold (0.5, as PASCAL VOC and COCO's AP50 count a hit).
public struct DetectionScore: Sendable, Equatable {
    /// Predicted boxes matched to a true box.
    public var truePositives = 0
    /// Predicted boxes matched to none.
    public var falsePositives = 0
    /// True boxes no prediction matched.
    public var falseNegatives = 0

    public init(truePositives: Int = 0, falsePositives: Int = 0, falseNegatives: Int = 0) {
        (self.truePositives, self.falsePositives, self.falseNegatives) = (truePositives, falsePositives, falseNegatives)
    }

    /// Share of true boxes found (nil with none).
    public var recall: Double? { truePositives + falseNegatives > 0 ? Double(truePositives) / Double(truePositives + falseNegatives) : nil }
    /// Share of predicted boxes that are right (nil with none).
    public var precision: Double? { truePositives + falsePositives > 0 ? Double(truePositives) / Double(truePositives + falsePositives) : nil }

    public static func + (a: DetectionScore, b: DetectionScore) -> DetectionScore {
        DetectionScore(truePositives: a.truePositives + b.truePositives, falsePositives: a.falsePositives + b.falsePositives,
                       falseNegatives: a.falseNegatives + b.falseNegatives)
    }

    /// Intersection over union of two `[x0, y0, x1, y1]` boxes (any one unit; 0 for a malformed box).
    public static func iou(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == 4, b.count == 4 else { return 0 }
        let w = min(a[2], b[2]) - max(a[0], b[0]), h = min(a[3], b[3]) - max(a[1], b[1])
        guard w > 0, h > 0 else { return 0 }
        let inter = w * h
        let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
        return union > 0 ? inter / union : 0
    }

    /// Scores `predicted` against `truth`: all pairs at or above `threshold`, taken greedily from the best
    /// overlap down, each box used once.
    public static func match(predicted: [[Double]], truth: [[Double]], threshold: Double = 0.5) -> DetectionScore {
        var pairs: [(iou: Double, p: Int, t: Int)] = []
        for (p, box) in predicted.enumerated() {
            for (t, real) in truth.enumerated() {
                let v = iou(box, real)
                if v >= threshold { pairs.append((v, p, t)) }
            }
        }
        var usedP = Set<Int>(), usedT = Set<Int>()
        for pair in pairs.sorted(by: { $0.iou > $1.iou }) where !usedP.contains(pair.p) && !usedT.contains(pair.t) {
            usedP.insert(pair.p)
            usedT.insert(pair.t)
        }
        return DetectionScore(truePositives: usedP.count, falsePositives: predicted.count - usedP.count, falseNegatives: truth.count - usedT.count)
    }
}
