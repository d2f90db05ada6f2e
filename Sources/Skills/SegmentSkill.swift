import SkillKit
import ToolSchema
import Vision

/// `segment`: masks for a query or a box. People get pixel masks from the selfie-segmentation network; for
/// other objects this build has no pixel segmentation yet, so the mask is the detected box and the
/// observation says so.
public struct SegmentSkill: Skill {
    public let manifest: SkillManifest
    let finder: ObjectFinder

    public init(manifest: SkillManifest, finder: ObjectFinder) { (self.manifest, self.finder) = (manifest, finder) }

    public func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let args = Arguments(skill: manifest.name, json: json)
        let (handle, image) = try args.image(in: artifacts)
        var parts: [(label: String, mask: Mask, exact: Bool, score: Double)] = []
        var notes: [String] = []
        if let b = try args.box("box") {
            parts.append(("box", try Mask(width: image.width, height: image.height, box: PixelBox(normalized: b, width: image.width, height: image.height)), false, 1))
        } else if try args.point("point") != nil {
            throw SkillError.failed(skill: manifest.name, reason: "segmenting from a point is not available in this build yet; pass a query or a box")
        } else {
            for term in ObjectFinder.terms(try args.require("query")) {
                let r = try finder.find(term, in: image)
                if let note = r.note { notes.append("\(term): \(note)") }
                for f in r.found {
                    if let m = f.mask { parts.append((f.label, m, true, f.score)) } else {
                        parts.append((f.label, try Mask(width: image.width, height: image.height, box: PixelBox(normalized: f.box, width: image.width, height: image.height)), false, f.score))
                    }
                }
            }
        }
        var lines: [String] = [], items: [JSONValue] = [], made: [(handle: String, what: String)] = []
        var overlay = image
        for p in parts {
            let h = artifacts.add(mask: p.mask)
            let box = p.mask.boundingBox?.normalized(width: image.width, height: image.height) ?? [0, 0, 0, 0]
            let kind = p.exact ? "pixel mask" : "box-shaped mask (no pixel segmentation for \(p.label) yet)"
            lines.append("\(p.label) \(rounded(p.score)) [\(box.map { rounded($0) }.joined(separator: ","))] area \(rounded(p.mask.areaFraction, places: 3)) \(h)")
            made.append((h, kind))
            items.append(.object([("label", .string(p.label)), ("mask", .string(h)), ("box", .array(box.map { .number($0) })),
                                  ("area", .number(p.mask.areaFraction)), ("pixel_accurate", .bool(p.exact))]))
            overlay = try overlay.tinting(p.mask, color: (40, 200, 255))
        }
        lines += notes
        let overlayHandle = artifacts.add(image: overlay)
        made.append((overlayHandle, "overlay with the masks tinted"))
        return Observation(skill: manifest.name, image: handle, size: (image.width, image.height), lines: lines, artifacts: made,
                           data: .object([("masks", .array(items))]))
    }
}
