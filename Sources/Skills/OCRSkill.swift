import Perception
import SkillKit
import ToolSchema
import Vision

/// `ocr`: text lines of an image or of a region (a box, or a mask's bounding box), in reading order, with
/// boxes and confidence; an overlay artifact with the lines outlined.
public struct OCRSkill: Skill {
    public let manifest: SkillManifest
    let models: PerceptionModels

    public init(manifest: SkillManifest, models: PerceptionModels) { (self.manifest, self.models) = (manifest, models) }

    /// Characters of the text shown to the planner (the JSON has every line).
    static let allTextLimit = 600

    public func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let args = Arguments(skill: manifest.name, json: json)
        let (handle, image) = try args.image(in: artifacts)
        var region = PixelBox(x0: 0, y0: 0, x1: image.width, y1: image.height)
        if let b = try args.box("region") {
            region = PixelBox(normalized: b, width: image.width, height: image.height).clipped(width: image.width, height: image.height)
        } else if let m = args.string("region_mask") {
            guard let b = try artifacts.mask(m).boundingBox else {
                throw SkillError.invalidArguments(skill: manifest.name, reason: "mask \(m) is empty")
            }
            region = b
        }
        guard region.x1 - region.x0 >= 8, region.y1 - region.y0 >= 8 else {
            throw SkillError.invalidArguments(skill: manifest.name, reason: "the region is smaller than 8×8 pixels")
        }
        let crop = try image.cropped(x: region.x0, y: region.y0, width: region.x1 - region.x0, height: region.y1 - region.y0)
        let lines = try models.textReader().read(crop)
        var overlay = image
        var text: [String] = [], items: [JSONValue] = []
        for line in lines {
            let xs = line.box.map { $0.x + Double(region.x0) }, ys = line.box.map { $0.y + Double(region.y0) }
            let box = PixelBox(x0: Int(xs.min()!), y0: Int(ys.min()!), x1: Int(xs.max()!.rounded(.up)), y1: Int(ys.max()!.rounded(.up)))
            let nb = box.normalized(width: image.width, height: image.height)
            overlay = overlay.drawingRectangle(box, color: (255, 40, 40), thickness: max(1, image.width / 400))
            items.append(.object([("text", .string(line.text)), ("score", .number(line.score)), ("box", .array(nb.map { .number($0) }))]))
        }
        // All of the text, lines in reading order joined by " / ": what an answer quotes. Boxes and scores stay in
        // the JSON; the planner does not need them, and each costs prompt tokens.
        var all = lines.map(\.text).joined(separator: " / ")
        if all.count > Self.allTextLimit { all = String(all.prefix(Self.allTextLimit)) + "…" }
        if lines.isEmpty { text.append("no text found") } else {
            text.append("\(lines.count) line\(lines.count == 1 ? "" : "s") of text, in reading order: \"\(all)\"")
        }
        let overlayHandle = artifacts.add(image: overlay)
        let facts = ["situation": lines.isEmpty ? "none" : "text", "text": all, "count": "\(lines.count)"]
        return Observation(skill: manifest.name, image: handle, size: (image.width, image.height), lines: text,
                           artifacts: [(overlayHandle, "overlay with the \(lines.count) text lines outlined")],
                           data: .object([("lines", .array(items)), ("text", .string(lines.map(\.text).joined(separator: "\n")))]), facts: facts)
    }
}
