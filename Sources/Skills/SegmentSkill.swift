import SkillKit
import ToolSchema
import Vision

/// `segment`: masks for a query, a box or a point. People get pixel masks from the selfie-segmentation network;
/// other objects are cut out by GrabCut inside their detected box (widened a little); a box or a point seeds
/// GrabCut directly. With a query, a box or point given as well picks one of the things it found; when the
/// query finds nothing, that is the answer.
public struct SegmentSkill: Skill {
    public let manifest: SkillManifest
    let finder: ObjectFinder

    public init(manifest: SkillManifest, finder: ObjectFinder) { (self.manifest, self.finder) = (manifest, finder) }

    typealias Part = (label: String, mask: Mask, method: String, score: Double)

    /// GrabCut seeded by a box (else a point).
    func seeded(box b: [Double]?, point p: [Double]?, in image: RGBImage) throws -> Part {
        if let b {
            let box = PixelBox(normalized: b, width: image.width, height: image.height)
            let mask = try GrabCut.segment(image, seed: .box(box))
            if mask.areaFraction == 0 {
                return ("box", try Mask(width: image.width, height: image.height, box: box), "the box itself; GrabCut found no distinct object in it", 1)
            }
            return ("box", mask, "GrabCut in the box", 1)
        }
        guard let p else { throw SkillError.invalidArguments(skill: manifest.name, reason: "give a query, a box or a point") }
        let x = min(image.width - 1, Int(p[0] * Double(image.width))), y = min(image.height - 1, Int(p[1] * Double(image.height)))
        let mask = try GrabCut.segment(image, seed: .point(x: x, y: y))
        guard mask.areaFraction > 0 else {
            throw SkillError.failed(skill: manifest.name, reason: "nothing at [\(rounded(p[0])), \(rounded(p[1]))] stands out from its surroundings; pass a box around the object")
        }
        return ("point", mask, "GrabCut from the point", 1)
    }

    /// Masks of what the query finds: people from the person network, other objects by GrabCut in their box.
    func queried(_ query: String, in image: RGBImage, notes: inout [String]) throws -> [Part] {
        var parts: [Part] = []
        for term in ObjectFinder.terms(query) {
            let r = try finder.find(term, in: image)
            if let note = r.note { notes.append("\(term): \(note)") }
            for f in r.found {
                if let m = f.mask { parts.append((f.label, m, "person segmentation network", f.score)); continue }
                // Detector boxes are approximate: give GrabCut a margin of 10% of the box on each side.
                let mx = 0.1 * (f.box[2] - f.box[0]), my = 0.1 * (f.box[3] - f.box[1])
                let wide = [max(0, f.box[0] - mx), max(0, f.box[1] - my), min(1, f.box[2] + mx), min(1, f.box[3] + my)]
                let box = PixelBox(normalized: wide, width: image.width, height: image.height)
                let mask = try GrabCut.segment(image, seed: .box(box))
                let boxArea = Double((box.x1 - box.x0) * (box.y1 - box.y0)) / Double(image.pixelCount)
                if mask.areaFraction < 0.05 * boxArea {
                    // Nothing stands out from its surroundings: say so and keep the box.
                    let exact = PixelBox(normalized: f.box, width: image.width, height: image.height)
                    parts.append((f.label, try Mask(width: image.width, height: image.height, box: exact), "the detected box; GrabCut found no distinct object in it", f.score))
                } else {
                    parts.append((f.label, mask, "GrabCut in the detected box", f.score))
                }
            }
        }
        return parts
    }

    /// Which of `masks` a box (most overlap with their bounding boxes) or else a point (the mask holding it, else
    /// the one whose box centre is nearest) picks; nil without either.
    public static func pick(_ masks: [Mask], box: [Double]?, point: [Double]?, image: RGBImage) -> Int? {
        let boxes = masks.map { $0.boundingBox?.normalized(width: image.width, height: image.height) ?? [0, 0, 0, 0] }
        if let box {
            return boxes.indices.max { DetectionScore.iou(boxes[$0], box) < DetectionScore.iou(boxes[$1], box) }
        }
        guard let point else { return nil }
        let x = min(image.width - 1, max(0, Int(point[0] * Double(image.width)))), y = min(image.height - 1, max(0, Int(point[1] * Double(image.height))))
        if let holding = masks.firstIndex(where: { $0.values[y * image.width + x] >= 128 }) { return holding }
        func distance(_ b: [Double]) -> Double { let dx = (b[0] + b[2]) / 2 - point[0], dy = (b[1] + b[3]) / 2 - point[1]; return dx * dx + dy * dy }
        return boxes.indices.min { distance(boxes[$0]) < distance(boxes[$1]) }
    }

    public func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let args = Arguments(skill: manifest.name, json: json)
        let (handle, image) = try args.image(in: artifacts)
        var notes: [String] = []
        let box = try args.box("box"), point = try args.point("point")
        var parts: [Part] = []
        let query = try args.phrase("query")
        if let query {
            parts = try queried(query, in: image, notes: &notes)
            // A box or point given with the query picks among what the query found ("the puppy in the middle").
            if parts.count > 1, let picked = Self.pick(parts.map(\.mask), box: box, point: point, image: image) {
                notes.append("\(parts.count) found; kept the one \(box != nil ? "overlapping the box most" : "at or nearest the point")")
                parts = [parts[picked]]
            }
        }
        // A query that found nothing is the answer ("none"): a box or point beside it does not stand in for it.
        if query == nil {
            guard box != nil || point != nil else {
                throw SkillError.invalidArguments(skill: manifest.name, reason: "\"query\" is required (or a \"box\" or \"point\")")
            }
            parts = [try seeded(box: box, point: point, in: image)]
        }

        var lines: [String] = [], items: [JSONValue] = [], made: [(handle: String, what: String)] = []
        var overlay = image
        var union = [UInt8](repeating: 0, count: image.pixelCount)
        var described: [String] = []
        for p in parts {
            let h = artifacts.add(mask: p.mask, note: "the \(p.label) (\(BoxPlace.words(p.mask.boundingBox?.normalized(width: image.width, height: image.height) ?? [])))")
            let box = p.mask.boundingBox?.normalized(width: image.width, height: image.height) ?? [0, 0, 0, 0]
            let kind = "mask of \(p.label) (\(p.method))"
            let percent = rounded(p.mask.areaFraction * 100, places: 1)
            lines.append("\(h): \(p.label), \(percent)% of the image, \(BoxPlace.words(box)) [\(box.map { rounded($0) }.joined(separator: ","))] \(rounded(p.score))")
            described.append("\(p.label) (\(h), \(percent)% of the image, \(BoxPlace.words(box)))")
            made.append((h, kind))
            items.append(.object([("label", .string(p.label)), ("mask", .string(h)), ("box", .array(box.map { .number($0) })),
                                  ("area", .number(p.mask.areaFraction)), ("place", .string(BoxPlace.words(box))), ("method", .string(p.method))]))
            overlay = try overlay.tinting(p.mask, color: (40, 200, 255))
            for i in union.indices where p.mask.values[i] > union[i] { union[i] = p.mask.values[i] }
        }
        var data: [(key: String, value: JSONValue)] = [("masks", .array(items))]
        var all = made.first?.handle ?? ""
        if parts.count > 1 {
            // Several masks: one of them all, for an edit of everything that was asked for.
            let combined = try Mask(width: image.width, height: image.height, values: union)
            all = artifacts.add(mask: combined, note: "the \(EnglishWords.list(parts.map(\.label)))")
            made.append((all, "mask of all \(parts.count) parts together"))
            lines.insert("\(all): all \(parts.count) masks together, \(rounded(combined.areaFraction * 100, places: 1))% of the image", at: 0)
        }
        if !all.isEmpty { data.append(("mask", .string(all))) }
        lines += notes
        let overlayHandle = artifacts.add(image: overlay)
        made.append((overlayHandle, "overlay with the masks tinted"))
        let facts = ["situation": parts.isEmpty ? "none" : "masks", "count": "\(parts.count)", "mask": all,
                     "found": EnglishWords.list(described), "term": args.string("query") ?? "the object",
                     "missing": notes.joined(separator: "; ")]
        return Observation(skill: manifest.name, image: handle, size: (image.width, image.height), lines: lines, artifacts: made,
                           data: .object(data), facts: facts)
    }
}
