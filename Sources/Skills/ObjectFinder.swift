import Foundation
import Perception
import SkillKit
import Vision

/// Finds the objects a query names, routing each term to the best network: faces → BlazeFace, people →
/// components of the selfie-segmentation mask, hands → the palm detector, text → the PP-OCR detector, any
/// other noun → the ImageNet classes it names (by word, else by MiniLM similarity) → EfficientNet's
/// class-activation map → boxes. A term the classifier does not see in the image is reported as not found,
/// with the labels it does see; boxes are never invented.
public final class ObjectFinder: @unchecked Sendable {
    public struct Found: Sendable {
        public let label: String
        /// `[x0, y0, x1, y1]` normalised to 0…1.
        public let box: [Double]
        public let score: Double
        /// The pixel mask when the route has one (people).
        public let mask: Mask?
    }

    /// The outcome for one term.
    public struct TermResult: Sendable {
        public let term: String
        /// Which network answered ("blazeface", "selfie-segmentation", …).
        public let route: String
        public let found: [Found]
        /// When nothing was found: why, and the nearest labels the network knows or sees.
        public let note: String?
    }

    let models: PerceptionModels
    public init(models: PerceptionModels) { self.models = models }

    /// Splits `"face . person, cat"` into terms.
    public static func terms(_ query: String) -> [String] {
        query.lowercased().split(whereSeparator: { ".,;|".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static let faceWords: Set<String> = ["face", "faces", "head", "heads"]
    static let personWords: Set<String> = ["person", "people", "persons", "human", "humans", "man", "men", "woman", "women", "child",
                                           "children", "boy", "girl", "kid", "kids", "body", "someone", "pedestrian", "player"]
    static let handWords: Set<String> = ["hand", "hands", "palm", "palms"]
    static let textWords: Set<String> = ["text", "texts", "word", "words", "writing", "line", "lines", "sign", "label", "caption", "letters"]

    public func find(_ term: String, in image: RGBImage) throws -> TermResult {
        let w = Double(image.width), h = Double(image.height)
        func norm(_ b: (Double, Double, Double, Double)) -> [Double] {
            [max(0, b.0 / w), max(0, b.1 / h), min(1, b.2 / w), min(1, b.3 / h)]
        }
        if Self.faceWords.contains(term) {
            let faces = try findFaces(image)
            return TermResult(term: term, route: "blazeface", found: faces.map { Found(label: "face", box: norm($0.box), score: $0.score, mask: nil) },
                              note: faces.isEmpty ? "no face found" : nil)
        }
        if Self.handWords.contains(term) {
            let palms = try models.palms().detect(image)
            return TermResult(term: term, route: "palm-detection", found: palms.map { Found(label: "hand", box: norm($0.box), score: $0.score, mask: nil) },
                              note: palms.isEmpty ? "no hand found" : nil)
        }
        if Self.personWords.contains(term) {
            let probabilities = try models.selfie().mask(image)
            let mask = try Mask(width: image.width, height: image.height, probabilities: probabilities)
            let minimum = max(16, image.pixelCount / 200)
            let people = mask.components(minimumPixels: minimum).compactMap { part -> Found? in
                guard let b = part.boundingBox else { return nil }
                // Score: mean probability inside the component.
                var total = 0.0, n = 0
                for i in part.values.indices where part.values[i] != 0 { total += Double(probabilities[i]); n += 1 }
                return Found(label: "person", box: b.normalized(width: image.width, height: image.height), score: n > 0 ? total / Double(n) : 0, mask: part)
            }
            return TermResult(term: term, route: "selfie-segmentation", found: people, note: people.isEmpty ? "no person found" : nil)
        }
        if Self.textWords.contains(term) {
            let reader = try models.textReader()
            let (map, mw, mh) = try reader.networks.probabilityMap(image)
            let boxes = reader.postProcessor.boxes(map: map, width: mw, height: mh, imageWidth: image.width, imageHeight: image.height)
            let found = boxes.map { q in
                Found(label: "text", box: norm((q.map(\.x).min()!, q.map(\.y).min()!, q.map(\.x).max()!, q.map(\.y).max()!)), score: 1, mask: nil)
            }
            return TermResult(term: term, route: "ppocr-det", found: found, note: found.isEmpty ? "no text found" : nil)
        }
        return try classify(term, image)
    }

    /// Faces at several scales: the whole image, then overlapping square tiles of half and a quarter of the
    /// longer side (BlazeFace's short-range model misses faces under about a tenth of its input), merged by
    /// IoU ≥ 0.3 keeping the higher score; tile detections need score ≥ 0.75 (partial faces at tile edges fire
    /// weakly). Tiles smaller than 96 px are not used.
    func findFaces(_ image: RGBImage) throws -> [Detection] {
        let net = try models.faces()
        var all = try net.detect(image)
        let longer = max(image.width, image.height)
        for divisor in [2, 4] {
            let side = longer / divisor
            guard side >= 96, side < min(image.width, image.height) * 2 else { continue }
            let step = max(1, side * 3 / 4)
            var y = 0
            while true {
                var x = 0
                while true {
                    let tw = min(side, image.width - x), th = min(side, image.height - y)
                    if tw >= 48, th >= 48 {
                        let tile = try image.cropped(x: x, y: y, width: tw, height: th)
                        for var d in try net.detect(tile, minimumScore: 0.75) {
                            d.box = (d.box.0 + Double(x), d.box.1 + Double(y), d.box.2 + Double(x), d.box.3 + Double(y))
                            all.append(d)
                        }
                    }
                    if x + side >= image.width { break }
                    x += step
                }
                if y + side >= image.height { break }
                y += step
            }
        }
        func iou(_ a: Detection, _ b: Detection) -> Double {
            let ix = max(0, min(a.box.2, b.box.2) - max(a.box.0, b.box.0)), iy = max(0, min(a.box.3, b.box.3) - max(a.box.1, b.box.1))
            let inter = ix * iy
            let area = { (d: Detection) in (d.box.2 - d.box.0) * (d.box.3 - d.box.1) }
            return inter / max(1e-9, area(a) + area(b) - inter)
        }
        var kept: [Detection] = []
        for d in all.sorted(by: { $0.score > $1.score }) where !kept.contains(where: { iou($0, d) >= 0.3 }) { kept.append(d) }
        return kept
    }

    /// ImageNet classes that `term` names: by word in the class names, and the 5 nearest by MiniLM similarity.
    func classes(for term: String) throws -> (indices: [Int], byWord: Bool) {
        let names = try models.labels().names
        let singular = term.hasSuffix("s") && term.count > 3 ? String(term.dropLast()) : term
        var hits: [Int] = []
        for (i, name) in names.enumerated() {
            let lemmas = name.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if lemmas.contains(where: { lemma in
                let words = lemma.split(separator: " ").map(String.init)
                guard let last = words.last else { return false }
                // "cat" names "tabby cat"; "airplane" names "military plane" (a compound ending in the lemma's noun).
                return lemma == term || lemma == singular || last == term || last == singular || (last.count >= 5 && singular.hasSuffix(last))
            }) { hits.append(i) }
        }
        // Plus the nearest class names by meaning ("dog" names no breed by word).
        let q = try models.sentences().embed(term)
        let table = try models.labelEmbeddings()
        let sims = table.map { e in zip(e, q).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
        let near = sims.indices.sorted { sims[$0] > sims[$1] }.prefix(5).filter { !hits.contains($0) }
        return (hits + near, !hits.isEmpty)
    }

    func classify(_ term: String, _ image: RGBImage) throws -> TermResult {
        let net = try models.classifier(), names = try models.labels().names
        let (wanted, byWord) = try classes(for: term)
        // The whole image (not the centre crop) so the activation map covers all of it.
        let side = EfficientNetLite0.inputSize
        let small = try image.resized(width: side, height: side, filter: .bilinear)
        var x = [Float](repeating: 0, count: 3 * side * side)
        for i in 0..<(side * side) { for c in 0..<3 { x[c * side * side + i] = (Float(small.pixels[3 * i + c]) - 127) / 128 } }
        let out = try net.forward(x)
        let all = EfficientNetLite0.top(1000, of: out.logits)
        let rank = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($0.element.index, $0.offset) })
        let probability = Dictionary(uniqueKeysWithValues: all.map { ($0.index, Double($0.probability)) })
        let seen = all.prefix(5).map { "\(names[$0.index].split(separator: ",")[0]) \(rounded(Double($0.probability)))" }
        // Seen when one of its classes is among the top 10 with at least 3% (or 10% in total).
        let best = wanted.max { probability[$0]! < probability[$1]! }!
        let total = wanted.reduce(0) { $0 + probability[$1]! }
        let label = names[best].split(separator: ",")[0].trimmingCharacters(in: .whitespaces)
        guard (rank[best]! < 10 && probability[best]! >= 0.03) || total >= 0.1 else {
            let known = byWord ? "" : "; nearest known classes: " + wanted.map { names[$0].split(separator: ",")[0] }.joined(separator: ", ")
            return TermResult(term: term, route: "efficientnet-cam", found: [],
                              note: "\"\(term)\" not found (best matching class \(label) at \(probability[best]! < 0.001 ? "<0.001" : rounded(probability[best]!, places: 3)))\(known); the image looks like: \(seen.joined(separator: ", "))")
        }
        let cam = try net.classActivationMap(out, classIndex: best)
        let n = out.mapSize
        // Cells at ≥ 50% of the map's peak, as connected regions, each a box.
        let cells = try Mask(width: n, height: n, values: cam.map { $0 >= 0.5 ? 255 : 0 })
        let found = cells.components().compactMap { part -> Found? in
            guard let b = part.boundingBox else { return nil }
            return Found(label: label, box: [Double(b.x0) / Double(n), Double(b.y0) / Double(n), Double(b.x1) / Double(n), Double(b.y1) / Double(n)],
                         score: min(1, total), mask: nil)
        }
        return TermResult(term: term, route: "efficientnet-cam", found: Array(found.prefix(3)), note: nil)
    }
}
