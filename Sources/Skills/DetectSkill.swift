import SkillKit
import ToolSchema
import Vision

/// `detect`: objects named by a query (`"face . person . cat"`), each term routed by `ObjectFinder`; boxes
/// normalised to 0…1 with scores and where they are in words, an honest "not found" per term, an overlay, and
/// a mask of everything found (for `edit`'s `target_mask`: the next step of a plan that changes those parts).
public struct DetectSkill: Skill {
    public let manifest: SkillManifest
    let finder: ObjectFinder

    public init(manifest: SkillManifest, finder: ObjectFinder) { (self.manifest, self.finder) = (manifest, finder) }

    public func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let args = Arguments(skill: manifest.name, json: json)
        let (handle, image) = try args.image(in: artifacts)
        guard let query = try args.phrase("query") else { throw SkillError.invalidArguments(skill: manifest.name, reason: "\"query\" is required") }
        let terms = ObjectFinder.terms(query)
        guard !terms.isEmpty, terms.count <= 8 else {
            throw SkillError.invalidArguments(skill: manifest.name, reason: "query needs 1–8 terms separated by \".\", got \(terms.count)")
        }
        var summary: [String] = [], details: [String] = [], objects: [JSONValue] = [], notes: [JSONValue] = []
        var found: [String] = [], missing: [String] = [], labels = Set<String>(), total = 0
        var overlay = image
        var union = [UInt8](repeating: 0, count: image.pixelCount)
        let colors: [(UInt8, UInt8, UInt8)] = [(255, 40, 40), (40, 200, 40), (40, 120, 255), (255, 190, 0), (220, 0, 220), (0, 200, 200)]
        for (t, asked) in terms.enumerated() {
            let result = try finder.find(asked, in: image)
            let term = result.term   // the thing as searched for ("face", not "face 20px radius")
            let places = result.found.map { BoxPlace.words($0.box) }
            if result.found.isEmpty {
                missing.append(term)
                summary.append("\(term): none found" + (result.note.map { " (\($0))" } ?? ""))
            } else {
                let kinds = Array(Set(result.found.map(\.label).filter { $0 != term })).sorted()
                let inside = (kinds.isEmpty ? "" : EnglishWords.list(kinds) + ": ") + EnglishWords.list(places)
                found.append("\(EnglishWords.count(result.found.count, term)) (\(inside))")
                summary.append("\(term): \(result.found.count) found — \(EnglishWords.list(places)) (method: \(result.route))")
                labels.formUnion([term, EnglishWords.plural(term)] + result.found.map(\.label))
                total += result.found.count
            }
            for (f, place) in zip(result.found, places) {
                details.append("\(f.label) \(rounded(f.score)) \(place) [\(f.box.map { rounded($0) }.joined(separator: ","))]")
                objects.append(.object([("label", .string(f.label)), ("term", .string(term)), ("score", .number(f.score)), ("place", .string(place)),
                                        ("box", .array(f.box.map { .number($0) })), ("route", .string(result.route))]))
                let box = PixelBox(normalized: f.box, width: image.width, height: image.height)
                overlay = overlay.drawingRectangle(box, color: colors[t % colors.count], thickness: max(2, image.width / 300))
                let region = try f.mask ?? Mask(width: image.width, height: image.height, box: box)
                for i in union.indices where region.values[i] > union[i] { union[i] = region.values[i] }
            }
            if let note = result.note { notes.append(.object([("term", .string(term)), ("note", .string(note))])) }
        }
        var made: [(handle: String, what: String)] = [(artifacts.add(image: overlay), "overlay with \(total) box\(total == 1 ? "" : "es")")]
        var data: [(key: String, value: JSONValue)] = [("objects", .array(objects)), ("not_found", .array(notes))]
        if total > 0 {
            let mask = artifacts.add(mask: try Mask(width: image.width, height: image.height, values: union), note: "the \(EnglishWords.list(found))")
            made.append((mask, "mask of the \(total) region\(total == 1 ? "" : "s") found"))
            data.append(("mask", .string(mask)))
        }
        var facts = ["count": "\(total)", "term": EnglishWords.list(terms), "found": EnglishWords.list(found), "missing": EnglishWords.list(missing),
                     "label": labels.sorted().joined(separator: "|")]
        facts["situation"] = total == 0 ? "none" : missing.isEmpty ? "found" : "partly"
        return Observation(skill: manifest.name, image: handle, size: (image.width, image.height), lines: summary + details,
                           artifacts: made, data: .object(data), facts: facts)
    }
}
