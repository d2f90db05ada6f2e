import Foundation
import GraphRuntime
import Vision

/// A detection from a MediaPipe SSD model (faces, palms): score, box and keypoints, in normalised tensor
/// coordinates or, after `project`, in image pixels.
public struct Detection: Sendable, Equatable {
    public var score: Double
    /// xmin, ymin, xmax, ymax.
    public var box: (Double, Double, Double, Double)
    public var keypoints: [(x: Double, y: Double)]

    public static func == (a: Detection, b: Detection) -> Bool {
        a.score == b.score && a.box == b.box && a.keypoints.elementsEqual(b.keypoints) { $0.x == $1.x && $0.y == $1.y }
    }
}

/// MediaPipe's SSD decoding as BlazeFace and palm detection use it: fixed-size anchors on feature maps of
/// strides 8 (2 per cell) and 16 (6 per cell), offsets divided by the input size, sigmoid scores, and
/// weighted non-maximum suppression; plus the letterbox that feeds the network (run by `SSDNetwork`).
public struct SSDDecoder: Sendable {
    public let inputSize: Int
    public let keypointCount: Int
    /// Anchor centres in output order (layer group, y, x, anchor).
    public let anchors: [(x: Double, y: Double)]

    public init(inputSize: Int, keypointCount: Int) {
        self.inputSize = inputSize
        self.keypointCount = keypointCount
        var a: [(x: Double, y: Double)] = []
        for (stride, perCell) in [(8, 2), (16, 6)] {
            let fm = (inputSize + stride - 1) / stride
            for y in 0..<fm { for x in 0..<fm { for _ in 0..<perCell { a.append(((Double(x) + 0.5) / Double(fm), (Double(y) + 0.5) / Double(fm))) } } }
        }
        anchors = a
    }

    /// Values per anchor in the regressor output.
    public var coordinates: Int { 4 + 2 * keypointCount }

    /// Detections in normalised tensor coordinates from the raw outputs.
    public func decode(regressors r: [Float], scores raw: [Float], minimumScore: Double = 0.5, iouThreshold: Double = 0.3) -> [Detection] {
        let scale = Double(inputSize), n = coordinates
        var candidates: [Detection] = []
        for (i, a) in anchors.enumerated() where i < raw.count && n * i + n - 1 < r.count {
            let score = 1 / (1 + exp(-min(max(Double(raw[i]), -100), 100)))
            guard score >= minimumScore else { continue }
            let v = (0..<n).map { Double(r[n * i + $0]) }
            let cx = v[0] / scale + a.x, cy = v[1] / scale + a.y, w = v[2] / scale, h = v[3] / scale
            let keypoints = (0..<keypointCount).map { k in (x: v[4 + 2 * k] / scale + a.x, y: v[5 + 2 * k] / scale + a.y) }
            candidates.append(Detection(score: score, box: (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), keypoints: keypoints))
        }
        return Self.weightedNMS(candidates, threshold: iouThreshold)
    }

    /// Each kept detection is the score-weighted mean of the candidates overlapping the best remaining one
    /// by more than `threshold` IoU, with the best one's score.
    static func weightedNMS(_ detections: [Detection], threshold: Double) -> [Detection] {
        var remaining = detections.sorted { $0.score > $1.score }
        var out: [Detection] = []
        while let top = remaining.first {
            var group: [Detection] = [], rest: [Detection] = []
            for (i, d) in remaining.enumerated() {
                if i == 0 || iou(top.box, d.box) > threshold { group.append(d) } else { rest.append(d) }
            }
            remaining = rest
            let total = group.reduce(0) { $0 + $1.score }
            func mean(_ f: (Detection) -> Double) -> Double { group.reduce(0) { $0 + f($1) * $1.score } / total }
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

    /// The image centred on a black square and resized to the input size, as NHWC floats `u8·scale + offset`,
    /// with the square's side and the image's offset in it (to map detections back).
    public func letterbox(_ image: RGBImage, scale: Float, offset: Float) throws -> (input: GraphTensor, side: Int, left: Int, top: Int) {
        let side = max(image.width, image.height)
        let left = (side - image.width) / 2, top = (side - image.height) / 2
        let square = try image.padded(top: top, left: left, bottom: side - image.height - top, right: side - image.width - left)
        let small = try square.resized(width: inputSize, height: inputSize, filter: .bilinear)
        var x = GraphTensor(shape: [1, inputSize, inputSize, 3])
        for i in 0..<(inputSize * inputSize * 3) { x.data[i] = Float(small.pixels[i]) * scale + offset }
        return (x, side, left, top)
    }

    /// Maps a detection from normalised letterbox coordinates to image pixels.
    public static func project(_ d: Detection, side: Int, left: Int, top: Int) -> Detection {
        var f = d
        func x(_ v: Double) -> Double { v * Double(side) - Double(left) }
        func y(_ v: Double) -> Double { v * Double(side) - Double(top) }
        f.box = (x(d.box.0), y(d.box.1), x(d.box.2), y(d.box.3))
        f.keypoints = d.keypoints.map { (x($0.x), y($0.y)) }
        return f
    }
}
