import Foundation
import GraphRuntime
import ModelFormats
import Vision

/// A face found by BlazeFace: box and six keypoints (right eye, left eye, nose tip, mouth centre, right ear
/// tragion, left ear tragion), in the coordinates of the image given (pixels), and a score in [0, 1].
public struct FaceDetection: Sendable, Equatable {
    public var score: Double
    /// xmin, ymin, xmax, ymax.
    public var box: (Double, Double, Double, Double)
    public var keypoints: [(x: Double, y: Double)]

    public static func == (a: FaceDetection, b: FaceDetection) -> Bool {
        a.score == b.score && a.box == b.box && a.keypoints.elementsEqual(b.keypoints) { $0.x == $1.x && $0.y == $1.y }
    }
}

/// MediaPipe BlazeFace short range (128×128): letterboxed input in [-1, 1], 896 SSD anchors, box and
/// keypoint decoding, score ≥ 0.5, weighted non-maximum suppression (IoU 0.3).
public final class BlazeFace: @unchecked Sendable {
    let executor: GraphExecutor
    let inputName: String
    static let size = 128
    /// Anchor centres in the order of the network's outputs.
    static let anchors: [(x: Double, y: Double)] = {
        var a: [(Double, Double)] = []
        for (stride, perCell) in [(8, 2), (16, 6)] {
            let fm = (size + stride - 1) / stride
            for y in 0..<fm { for x in 0..<fm { for _ in 0..<perCell { a.append(((Double(x) + 0.5) / Double(fm), (Double(y) + 0.5) / Double(fm))) } } }
        }
        return a
    }()

    public init(path: String) throws {
        let graph = try TFLiteImporter.importGraph(TFLiteModel(path: path))
        executor = try GraphExecutor(graph: graph)
        inputName = graph.inputs[0]
    }

    /// Faces in `image`, in its pixel coordinates.
    public func detect(_ image: RGBImage, minimumScore: Double = 0.5) throws -> [FaceDetection] {
        // Letterbox: the image centred on a black square, then resized to 128×128.
        let side = max(image.width, image.height)
        let left = (side - image.width) / 2, top = (side - image.height) / 2
        let square = try image.padded(top: top, left: left, bottom: side - image.height - top, right: side - image.width - left)
        let small = try square.resized(width: Self.size, height: Self.size, filter: .bilinear)
        var x = GraphTensor(shape: [1, Self.size, Self.size, 3])
        for i in 0..<(Self.size * Self.size * 3) { x.data[i] = Float(small.pixels[i]) / 127.5 - 1 }
        let outputs = try executor.run([inputName: x])
        guard let regressors = outputs.values.first(where: { $0.shape.last == 16 }),
              let scores = outputs.values.first(where: { $0.shape.last == 1 }) else {
            throw PerceptionError.invalidInput(network: "BlazeFace", reason: "the model's outputs are not [896,16] and [896,1]")
        }
        return Self.decode(regressors: regressors.data, scores: scores.data, minimumScore: minimumScore).map { d in
            var f = d
            func project(_ v: Double, _ offset: Int) -> Double { v * Double(side) - Double(offset) }
            f.box = (project(d.box.0, left), project(d.box.1, top), project(d.box.2, left), project(d.box.3, top))
            f.keypoints = d.keypoints.map { (project($0.x, left), project($0.y, top)) }
            return f
        }
    }

    /// Detections in normalised tensor coordinates from the raw outputs (`[896·16]`, `[896]`).
    public static func decode(regressors r: [Float], scores raw: [Float], minimumScore: Double = 0.5) -> [FaceDetection] {
        let scale = Double(size)
        var candidates: [FaceDetection] = []
        for (i, a) in anchors.enumerated() where i < raw.count && 16 * i + 15 < r.count {
            let score = 1 / (1 + exp(-min(max(Double(raw[i]), -100), 100)))
            guard score >= minimumScore else { continue }
            let v = (0..<16).map { Double(r[16 * i + $0]) }
            let cx = v[0] / scale + a.x, cy = v[1] / scale + a.y, w = v[2] / scale, h = v[3] / scale
            let keypoints = (0..<6).map { k in (x: v[4 + 2 * k] / scale + a.x, y: v[5 + 2 * k] / scale + a.y) }
            candidates.append(FaceDetection(score: score, box: (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), keypoints: keypoints))
        }
        return weightedNMS(candidates, threshold: 0.3)
    }

    /// MediaPipe's weighted non-maximum suppression: each kept face is the score-weighted mean of the
    /// candidates overlapping the best one by more than `threshold` IoU, with the best one's score.
    static func weightedNMS(_ detections: [FaceDetection], threshold: Double) -> [FaceDetection] {
        var remaining = detections.sorted { $0.score > $1.score }
        var out: [FaceDetection] = []
        while let top = remaining.first {
            let group = remaining.filter { iou(top.box, $0.box) > threshold || $0 == top }
            remaining.removeAll { d in group.contains { $0 == d } }
            let total = group.reduce(0) { $0 + $1.score }
            func mean(_ f: (FaceDetection) -> Double) -> Double { group.reduce(0) { $0 + f($1) * $1.score } / total }
            var merged = top
            merged.box = (mean { $0.box.0 }, mean { $0.box.1 }, mean { $0.box.2 }, mean { $0.box.3 })
            merged.keypoints = (0..<top.keypoints.count).map { k in (mean { $0.keypoints[k].x }, mean { $0.keypoints[k].y }) }
            out.append(merged)
        }
        return out
    }

    static func iou(_ a: (Double, Double, Double, Double), _ b: (Double, Double, Double, Double)) -> Double {
        let w = max(0, min(a.2, b.2) - max(a.0, b.0)), h = max(0, min(a.3, b.3) - max(a.1, b.1))
        let inter = w * h
        let union = (a.2 - a.0) * (a.3 - a.1) + (b.2 - b.0) * (b.3 - b.1) - inter
        return union > 0 ? inter / union : 0
    }
}
