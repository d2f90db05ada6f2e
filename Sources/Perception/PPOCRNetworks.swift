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

    /// Most the detector scales a small image up (the reference scales a 20-pixel strip 37 times; text that tall
    /// is far beyond what the detector was trained on, and the input would be 37 times as long).
    public static let maximumUpscale = 4.0
    /// Longest side, and most pixels, of one detector pass; larger inputs are read in tiles.
    public static let maximumPassSide = 4096, maximumPassPixels = 4096 * 1024

    /// The detector's input size for an image: the shorter side scaled up to at least 736 (at most
    /// `maximumUpscale` times), each side rounded to a multiple of 32 (half to even, as Python's round does).
    public static func detectionSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let ratio = detectionScale(width: width, height: height)
        func round32(_ v: Double) -> Int { max(32, Int((v / 32).rounded(.toNearestOrEven)) * 32) }
        return (round32(Double(Int(Double(width) * ratio))), round32(Double(Int(Double(height) * ratio))))
    }

    static func detectionScale(width: Int, height: Int) -> Double {
        min(width, height) < 736 ? min(maximumUpscale, 736 / Double(max(1, min(width, height)))) : 1
    }

    /// The parts of a `width`×`height` image the detector reads, in image pixels: the
    /// whole image when its detector input fits one pass (`maximumPassSide`, `maximumPassPixels`), else
    /// overlapping tiles, each of which does: strips along the long side of a long, narrow image, a grid of
    /// squares for a large one. Each tile comes with its core, the part whose boxes it keeps (cores tile the
    /// image without overlap, so a line in an overlap is kept once).
    public static func detectionTiles(width: Int, height: Int) -> [(tile: PixelBox, core: PixelBox)] {
        let size = detectionSize(width: width, height: height)
        if max(size.width, size.height) <= maximumPassSide, size.width * size.height <= maximumPassPixels {
            let whole = PixelBox(x0: 0, y0: 0, x1: width, y1: height)
            return [(whole, whole)]
        }
        let scale = detectionScale(width: width, height: height)
        // Tile sides in detector pixels: strips keep the whole short side; otherwise squares.
        let strip = Double(min(size.width, size.height)) <= Double(maximumPassPixels / maximumPassSide)
        let long = strip ? maximumPassSide : Int(Double(maximumPassPixels).squareRoot())
        let tileSide = max(32, Int(Double(long - 32) / scale))                   // image pixels, room for rounding
        let overlap = max(16, tileSide / 8)
        func spans(_ extent: Int, whole: Bool) -> [(start: Int, length: Int, core: Range<Int>)] {
            if whole || extent <= tileSide { return [(0, extent, 0..<extent)] }
            let step = tileSide - overlap
            let count = Int((Double(extent - overlap) / Double(step)).rounded(.up))
            let starts = (0..<count).map { min($0 * step, extent - tileSide) }
            // Cores meet in the middle of each overlap.
            let cuts = [0] + (1..<count).map { (starts[$0] + starts[$0 - 1] + tileSide) / 2 } + [extent]
            return (0..<count).map { i in (starts[i], tileSide, cuts[i]..<max(cuts[i], cuts[i + 1])) }
        }
        let wide = width >= height
        let xs = spans(width, whole: strip && !wide), ys = spans(height, whole: strip && wide)
        return ys.flatMap { y in xs.map { x in
            (PixelBox(x0: x.start, y0: y.start, x1: x.start + x.length, y1: y.start + y.length),
             PixelBox(x0: x.core.lowerBound, y0: y.core.lowerBound, x1: x.core.upperBound, y1: y.core.upperBound))
        } }
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
