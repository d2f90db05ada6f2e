import SkillKit
import ToolSchema
import Vision

/// `detect`: objects named by a query (`"face . person . cat"`), each term routed by `ObjectFinder`; boxes
/// normalised to 0…1 with scores, an honest "not found" per term, and an overlay artifact.
public struct DetectSkill: Skill {
    public let manifest: SkillManifest
    let finder: ObjectFinder

    public init(manifest: SkillManifest, finder: ObjectFinder) { (self.manifest, self.finder) = (manifest, finder) }

    public func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let args = Arguments(skill: manifest.name, json: json)
        let (handle, image) = try args.image(in: artifacts)
        let terms = ObjectFinder.terms(try args.require("query"))
        guard !terms.isEmpty, terms.count <= 8 else {
            throw SkillError.invalidArguments(skill: manifest.name, reason: "query needs 1–8 terms separated by \".\", got \(terms.count)")
        }
        var lines: [String] = [], objects: [JSONValue] = [], notes: [JSONValue] = []
        var overlay = image
        let colors: [(UInt8, UInt8, UInt8)] = [(255, 40, 40), (40, 200, 40), (40, 120, 255), (255, 190, 0), (220, 0, 220), (0, 200, 200)]
        for (t, term) in terms.enumerated() {
            let result = try finder.find(term, in: image)
            for f in result.found {
                lines.append("\(f.label) \(rounded(f.score)) [\(f.box.map { rounded($0) }.joined(separator: ","))]")
                objects.append(.object([("label", .string(f.label)), ("term", .string(term)), ("score", .number(f.score)),
                                        ("box", .array(f.box.map { .number($0) })), ("route", .string(result.route))]))
                overlay = overlay.drawingRectangle(PixelBox(normalized: f.box, width: image.width, height: image.height),
                                                   color: colors[t % colors.count], thickness: max(2, image.width / 300))
            }
            if let note = result.note {
                lines.append("\(term): \(note)")
                notes.append(.object([("term", .string(term)), ("note", .string(note))]))
            }
        }
        let overlayHandle = artifacts.add(image: overlay)
        return Observation(skill: manifest.name, image: handle, size: (image.width, image.height), lines: lines,
                           artifacts: [(overlayHandle, "overlay with \(objects.count) box\(objects.count == 1 ? "" : "es")")],
                           data: .object([("objects", .array(objects)), ("not_found", .array(notes))]))
    }
}
