import SkillKit
import ToolSchema
import Vision

/// `edit`: one image operation, on the whole image or a target (a mask handle, a box, or a query found by
/// `ObjectFinder`); returns a new image handle and what changed.
public struct EditSkill: Skill {
    public let manifest: SkillManifest
    let finder: ObjectFinder
    let models: PerceptionModels

    public init(manifest: SkillManifest, finder: ObjectFinder, models: PerceptionModels) {
        (self.manifest, self.finder, self.models) = (manifest, finder, models)
    }

    static let colors: [String: (UInt8, UInt8, UInt8)] = [
        "red": (220, 30, 30), "green": (30, 160, 50), "blue": (30, 80, 220), "white": (255, 255, 255), "black": (0, 0, 0),
        "gray": (128, 128, 128), "grey": (128, 128, 128), "yellow": (245, 210, 30), "orange": (245, 140, 20), "purple": (130, 50, 170),
        "pink": (240, 120, 170), "brown": (120, 75, 40), "cyan": (0, 190, 210),
    ]

    func color(_ text: String?) throws -> (UInt8, UInt8, UInt8) {
        guard let raw = text?.lowercased().trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            throw SkillError.invalidArguments(skill: manifest.name, reason: "\"value\" must name a colour (e.g. \"blue\" or \"#3366ff\")")
        }
        if let c = Self.colors[raw] { return c }
        let hex = raw.hasPrefix("#") ? String(raw.dropFirst()) : raw
        if hex.count == 6, let v = UInt32(hex, radix: 16) { return (UInt8(v >> 16), UInt8((v >> 8) & 255), UInt8(v & 255)) }
        // A phrase naming one colour ("a light blue background", "bright red").
        if let name = Self.colourWord(in: raw), let c = Self.colors[name] { return c }
        throw SkillError.invalidArguments(skill: manifest.name, reason: "unknown colour \"\(raw)\" (use #rrggbb or one of \(Self.colors.keys.sorted().joined(separator: ", ")))")
    }

    /// The one colour name among the words of `phrase`, or nil when it has none or several.
    static func colourWord(in phrase: String) -> String? {
        let names = Set(phrase.lowercased().split { !$0.isLetter }.map(String.init).filter { colors[$0] != nil }
            .map { $0 == "gray" ? "grey" : $0 })
        return names.count == 1 ? names.first : nil
    }

    /// How an accepted colour value is named in what changed: as written, or the one colour a phrase names.
    static func shownColour(_ value: String) -> String {
        colors[value.lowercased()] != nil ? value : (colourWord(in: value) ?? value)
    }

    /// Whether a background value asks for no background at all ("transparent", "a transparent background").
    static func meansTransparent(_ value: String) -> Bool {
        value.lowercased().split { !$0.isLetter }.contains("transparent")
    }

    /// The target as a mask and a description, or nil for the whole image.
    func target(_ args: Arguments, _ image: RGBImage, _ artifacts: Artifacts) throws -> (Mask, String)? {
        if let m = args.string("target_mask") {
            let mask = try artifacts.mask(m)
            guard mask.width == image.width, mask.height == image.height else {
                throw SkillError.invalidArguments(skill: manifest.name, reason: "mask \(m) is \(mask.width)×\(mask.height) but the image is \(image.width)×\(image.height)")
            }
            return (mask, artifacts.note(m) ?? "mask \(m)")
        }
        if let b = try args.box("target_box") {
            return (try Mask(width: image.width, height: image.height, box: PixelBox(normalized: b, width: image.width, height: image.height)),
                    BoxPlace.words(b) == "the whole image" ? "the whole image" : "the \(BoxPlace.words(b)) part of the image")
        }
        guard let query = try args.phrase("target") else { return nil }
        var union = [UInt8](repeating: 0, count: image.pixelCount)
        var count = 0
        var missing: [String] = []
        for term in ObjectFinder.terms(query) {
            let r = try finder.find(term, in: image)
            if r.found.isEmpty { missing.append(r.note ?? "\(term) not found") }
            for f in r.found {
                count += 1
                let m = try f.mask ?? Mask(width: image.width, height: image.height, box: PixelBox(normalized: f.box, width: image.width, height: image.height))
                for i in union.indices where m.values[i] > union[i] { union[i] = m.values[i] }
            }
        }
        guard count > 0 else {
            throw SkillError.failed(skill: manifest.name, reason: "nothing to edit: \(missing.joined(separator: "; ")); the image is unchanged")
        }
        return (try Mask(width: image.width, height: image.height, values: union), "\(count) region\(count == 1 ? "" : "s") matching \"\(query)\"")
    }

    public func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let args = Arguments(skill: manifest.name, json: json)
        let (handle, image) = try args.image(in: artifacts)
        let op = try args.require("operation")
        let short = min(image.width, image.height)
        func within(_ edited: RGBImage, _ t: (Mask, String)?) throws -> RGBImage { try t.map { try image.blended(with: edited, mask: $0.0) } ?? edited }
        let t = try target(args, image, artifacts)
        let place = t.map { " in \($0.1)" } ?? " on the whole image"
        var result: RGBImage
        var what: String
        switch op {
        case "blur":
            let r = try args.number("value", in: 1...200, whole: true).map { Int($0) } ?? max(3, short / 40)
            result = try within(image.blurred(radius: r), t); what = "blurred (radius \(r) px)\(place)"
        case "pixelate":
            let b = try args.number("value", in: 2...400, whole: true).map { Int($0) } ?? max(6, short / 30)
            result = try within(image.pixelated(block: b), t); what = "pixelated (\(b) px blocks)\(place)"
        case "grayscale":
            result = try within(image.grayscale(), t); what = "made grey\(place)"
        case "sketch":
            result = try within(image.sketch(), t); what = "turned into a pencil sketch\(place)"
        case "brightness":
            let v = try args.number("value", in: -1...1) ?? 0.2
            result = try within(image.adjusted(brightness: v), t); what = "brightness \(v >= 0 ? "+" : "")\(rounded(v))\(place)"
        case "contrast":
            let v = try args.number("value", in: 0...5) ?? 1.3
            result = try within(image.adjusted(contrast: v), t); what = "contrast ×\(rounded(v))\(place)"
        case "recolor":
            guard let t else { throw SkillError.invalidArguments(skill: manifest.name, reason: "recolor needs a target (target, target_box or target_mask)") }
            let c = try color(args.string("value"))
            result = try image.recolored(to: c, mask: t.0); what = "recoloured to \(Self.shownColour(args.string("value")!)) in \(t.1)"
        case "remove_background", "replace_background":
            let foreground: Mask
            let subject: String
            if let t { (foreground, subject) = t } else {
                foreground = try Mask(width: image.width, height: image.height, probabilities: try models.selfie().mask(image))
                subject = "the people (selfie segmentation)"
            }
            guard foreground.areaFraction > 0.001 else {
                if t != nil {
                    throw SkillError.failed(skill: manifest.name, reason: "\(subject) covers almost nothing (\(rounded(foreground.areaFraction * 100, places: 2))% of the image) to keep; pass a larger target")
                }
                throw SkillError.failed(skill: manifest.name, reason: "no foreground found (no person in the image); pass a target")
            }
            if op == "remove_background" || args.string("value").map(Self.meansTransparent) == true {
                result = image
                result.alpha = foreground.values
                what = "background made transparent around \(subject) (\(rounded(foreground.areaFraction * 100, places: 1))% kept)"
            } else {
                let value = args.string("value") ?? "white"
                let background: RGBImage
                if value.hasPrefix("img") {
                    background = try artifacts.image(value).resized(width: image.width, height: image.height, filter: .bilinear)
                } else {
                    background = try RGBImage(width: image.width, height: image.height, fill: try color(value))
                }
                result = try background.blended(with: image, mask: foreground)
                what = "background replaced with \(value.hasPrefix("img") ? value : Self.shownColour(value)) around \(subject)"
            }
        case "crop":
            guard let t, let b = t.0.boundingBox else { throw SkillError.invalidArguments(skill: manifest.name, reason: "crop needs a non-empty target_box, target_mask or target") }
            result = try image.cropped(x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0)
            what = "cropped to \(t.1): \(result.width)×\(result.height)"
        case "rotate":
            let degrees = try args.number("value", in: -3600...3600, whole: true).map { Int($0) } ?? 90
            guard degrees % 90 == 0 else { throw SkillError.invalidArguments(skill: manifest.name, reason: "rotate takes a multiple of 90 degrees (clockwise), got \(degrees)") }
            result = image.rotated(quarterTurnsClockwise: degrees / 90); what = "rotated \(degrees)° clockwise"
        case "resize":
            guard let side = try args.number("value", in: 8...8192, whole: true).map({ Int($0) }) else {
                throw SkillError.invalidArguments(skill: manifest.name, reason: "resize needs \"value\": the longer side in pixels, 8…8192")
            }
            let scale = Double(side) / Double(max(image.width, image.height))
            result = try image.resized(width: max(1, Int((Double(image.width) * scale).rounded())), height: max(1, Int((Double(image.height) * scale).rounded())),
                                       filter: scale < 1 ? .area : .bilinear)
            what = "resized to \(result.width)×\(result.height)"
        case "draw_boxes":
            guard let t else { throw SkillError.invalidArguments(skill: manifest.name, reason: "draw_boxes needs a target (a query, target_box or target_mask)") }
            result = image
            let c = try args.string("value").map { try color($0) } ?? (255, 40, 40)
            for part in t.0.components() {
                if let b = part.boundingBox { result = result.drawingRectangle(b, color: c, thickness: max(2, image.width / 300)) }
            }
            what = "boxes drawn around \(t.1)"
        case "inpaint":
            guard let t else { throw SkillError.invalidArguments(skill: manifest.name, reason: "inpaint needs a target (what to remove: a query, target_box or target_mask)") }
            // Slightly larger than the target, so its outline does not survive.
            let grown = t.0.dilated(by: 3)
            result = try image.inpainted(mask: grown, radius: max(3, min(12, short / 80)))
            what = "filled in \(t.1) from its surroundings (\(rounded(grown.areaFraction * 100, places: 1))% of the image)"
        default:
            throw SkillError.invalidArguments(skill: manifest.name, reason: "unknown operation \"\(op)\"")
        }
        let out = artifacts.add(image: result)
        return Observation(skill: manifest.name, image: handle, size: (image.width, image.height), lines: [what],
                           artifacts: [(out, "edited image \(result.width)×\(result.height)")],
                           data: .object([("operation", .string(op)), ("output", .string(out)), ("changed", .string(what))]),
                           facts: ["situation": "edited", "changed": what, "output": out, "size": "\(result.width)×\(result.height)"])
    }
}

