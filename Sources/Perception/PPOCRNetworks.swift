import Foundation
import GraphRuntime
import ModelFormats
import Vision

/// The PP-OCR networks run through the graph runtime: the DB detector's probability map, the text-line
/// recogniser with CTC decoding over the model's own character list, and the 0°/180° direction classifier.
public final class PPOCRNetworks: @unchecked Sendable {
    let detector: GraphExecutor, recognizer: GraphExecutor, classifier: GraphExecutor?
    /// CTC classes: blank, the model's characters, then a space.
    public let characters: [String]

    public init(detector: String, recognizer: String, classifier: String? = nil) throws {
        let det = try ONNXImporter.importGraph(ONNXModel(path: detector))
        self.detector = try GraphExecutor(graph: det)
        let recModel = try ONNXModel(path: recognizer)
        guard let list = recModel.metadata["character"] else {
            throw PerceptionError.badWeights(network: "PP-OCR rec", tensor: "metadata character", reason: "is missing")
        }
        characters = [""] + list.components(separatedBy: "\n") + [" "]
        self.recognizer = try GraphExecutor(graph: ONNXImporter.importGraph(recModel))
        self.classifier = try classifier.map { try GraphExecutor(graph: ONNXImporter.importGraph(ONNXModel(path: $0))) }
    }

    /// Channel-major BGR tensor normalised to [-1, 1], `[1, 3, h, w]`, zero-padded on the right to `padWidth`.
    static func tensor(_ image: RGBImage, padWidth: Int? = nil) -> GraphTensor {
        let (h, w) = (image.height, image.width), pw = max(padWidth ?? w, w)
        var x = GraphTensor(shape: [1, 3, h, pw])
        for y in 0..<h {
            for xx in 0..<w {
                let i = (y * w + xx) * 3
                for c in 0..<3 { x.data[(c * h + y) * pw + xx] = (Float(image.pixels[i + 2 - c]) / 255 - 0.5) / 0.5 }
            }
        }
        return x
    }

    /// The detector's input size for an image: the shorter side scaled up to at least 736, each side rounded
    /// to a multiple of 32 (half to even, as Python's round does).
    public static func detectionSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let ratio = min(width, height) < 736 ? 736 / Double(min(width, height)) : 1
        func round32(_ v: Double) -> Int { max(32, Int((v / 32).rounded(.toNearestOrEven)) * 32) }
        return (round32(Double(Int(Double(width) * ratio))), round32(Double(Int(Double(height) * ratio))))
    }

    /// Text probability map at the detector's input size (`[h·w]`, row-major) and that size.
    public func probabilityMap(_ image: RGBImage) throws -> (map: [Float], width: Int, height: Int) {
        let size = Self.detectionSize(width: image.width, height: image.height)
        let input = try image.resized(width: size.width, height: size.height, filter: .bilinear)
        guard let out = try detector.run([detector.graph.inputs[0]: Self.tensor(input)]).values.first else {
            throw PerceptionError.invalidInput(network: "PP-OCR det", reason: "no output")
        }
        return (out.data, size.width, size.height)
    }

    /// One detector run on `image` with per-operator timings.
    public func profileDetection(_ image: RGBImage) throws -> GraphProfile {
        let size = Self.detectionSize(width: image.width, height: image.height)
        let input = try image.resized(width: size.width, height: size.height, filter: .bilinear)
        var profile: GraphProfile? = GraphProfile()
        _ = try detector.run([detector.graph.inputs[0]: Self.tensor(input)], profile: &profile)
        return profile!
    }

    /// One recogniser run on `copies` copies of a line image (a batch) with per-operator timings.
    public func profileRecognition(_ line: RGBImage, copies: Int = 1) throws -> GraphProfile {
        let width = max(8, Int((48 * Double(line.width) / Double(line.height)).rounded(.up)))
        let one = Self.tensor(try line.resized(width: width, height: 48, filter: .bilinear), padWidth: 320)
        let batch = GraphTensor(shape: [copies] + one.shape.dropFirst(), data: Array([[Float]](repeating: one.data, count: max(1, copies)).joined()))
        var profile: GraphProfile? = GraphProfile()
        _ = try recognizer.run([recognizer.graph.inputs[0]: batch], profile: &profile)
        return profile!
    }

    /// Reads one text line: resized to height 48, CTC-decoded. Score: mean probability of the kept steps.
    public func recognize(_ line: RGBImage) throws -> (text: String, score: Double) {
        let width = max(8, Int((48 * Double(line.width) / Double(line.height)).rounded(.up)))
        let input = try line.resized(width: width, height: 48, filter: .bilinear)
        guard let probs = try recognizer.run([recognizer.graph.inputs[0]: Self.tensor(input, padWidth: 320)]).values.first,
              probs.shape.count == 3, probs.shape[2] == characters.count else {
            throw PerceptionError.invalidInput(network: "PP-OCR rec", reason: "output does not have \(characters.count) classes")
        }
        return Self.ctcDecode(probs.data, steps: probs.shape[1], classes: probs.shape[2], characters: characters)
    }

    /// Reads several text lines in one batch, as the reference pipeline does: every line resized to height 48
    /// keeping its aspect ratio, all padded on the right to the widest (at least 320). Results in input order.
    public func recognize(batch lines: [RGBImage]) throws -> [(text: String, score: Double)] {
        guard !lines.isEmpty else { return [] }
        let widths = lines.map { max(8, Int((48 * Double($0.width) / Double(max(1, $0.height))).rounded(.up))) }
        let padWidth = max(320, widths.max()!)
        guard padWidth <= 48 * 200 else {
            throw PerceptionError.invalidInput(network: "PP-OCR rec", reason: "a text line \(padWidth) pixels wide at height 48 is too long (over 200:1)")
        }
        var x = GraphTensor(shape: [lines.count, 3, 48, padWidth])
        for (i, line) in lines.enumerated() {
            let one = Self.tensor(try line.resized(width: widths[i], height: 48, filter: .bilinear), padWidth: padWidth)
            x.data.replaceSubrange((i * one.count)..<((i + 1) * one.count), with: one.data)
        }
        guard let probs = try recognizer.run([recognizer.graph.inputs[0]: x]).values.first,
              probs.shape.count == 3, probs.shape[0] == lines.count, probs.shape[2] == characters.count else {
            throw PerceptionError.invalidInput(network: "PP-OCR rec", reason: "output does not have \(characters.count) classes per line")
        }
        let steps = probs.shape[1], stride = steps * probs.shape[2]
        return (0..<lines.count).map { i in
            Self.ctcDecode(Array(probs.data[(i * stride)..<((i + 1) * stride)]), steps: steps, classes: probs.shape[2], characters: characters)
        }
    }

    /// Greedy CTC: best class per step, repeats collapsed, blanks (0) dropped.
    public static func ctcDecode(_ p: [Float], steps: Int, classes: Int, characters: [String]) -> (text: String, score: Double) {
        var text = "", previous = 0, total = 0.0, kept = 0
        for t in 0..<steps {
            var best = 0
            for c in 1..<classes where p[t * classes + c] > p[t * classes + best] { best = c }
            if best != 0, best != previous {
                text += characters[best]
                total += Double(p[t * classes + best])
                kept += 1
            }
            previous = best
        }
        return (text, kept > 0 ? total / Double(kept) : 0)
    }

    /// For each line crop, the probability that it is upside down (class "180"), in batches of up to 6.
    public func upsideDownProbabilities(_ lines: [RGBImage]) throws -> [Double] {
        guard let classifier else { throw PerceptionError.invalidInput(network: "PP-OCR cls", reason: "no classifier loaded") }
        var result: [Double] = []
        for start in stride(from: 0, to: lines.count, by: 6) {
            let part = lines[start..<min(lines.count, start + 6)]
            var x = GraphTensor(shape: [part.count, 3, 48, 192])
            for (i, line) in part.enumerated() {
                let width = min(192, max(8, Int((48 * Double(line.width) / Double(max(1, line.height))).rounded(.up))))
                let one = Self.tensor(try line.resized(width: width, height: 48, filter: .bilinear), padWidth: 192)
                x.data.replaceSubrange((i * one.count)..<((i + 1) * one.count), with: one.data)
            }
            guard let out = try classifier.run([classifier.graph.inputs[0]: x]).values.first, out.count == 2 * part.count else {
                throw PerceptionError.invalidInput(network: "PP-OCR cls", reason: "no output")
            }
            result += (0..<part.count).map { Double(out.data[2 * $0 + 1]) }
        }
        return result
    }

    /// Probability that a 48×192 line crop is upside down (class "180").
    public func upsideDownProbability(_ line: RGBImage) throws -> Double {
        guard let classifier else { throw PerceptionError.invalidInput(network: "PP-OCR cls", reason: "no classifier loaded") }
        let width = min(192, max(8, Int((48 * Double(line.width) / Double(line.height)).rounded(.up))))
        let input = try line.resized(width: width, height: 48, filter: .bilinear)
        guard let out = try classifier.run([classifier.graph.inputs[0]: Self.tensor(input, padWidth: 192)]).values.first, out.count >= 2 else {
            throw PerceptionError.invalidInput(network: "PP-OCR cls", reason: "no output")
        }
        return Double(out.data[1])
    }
}
