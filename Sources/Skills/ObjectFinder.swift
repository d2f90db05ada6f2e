import Foundation
import Perception
import SkillKit
import Vision

/// Finds the objects a query names, routing each term to the best method: faces → BlazeFace at several
/// scales; people → the selfie-segmentation mask split by the faces in it; hands → the palm detector; text →
/// the PP-OCR detector; any other noun → the ImageNet classes it covers through WordNet (MiniLM for words
/// WordNet lacks) → region proposals scored on one convolutional pass of EfficientNet and the best verified
/// on their own crops (the class-activation map as a second opinion); a noun no class covers → repeated
/// objects counted without a class. A colour word ("red car") keeps the instances mostly of that colour.
/// Boxes are never invented: a term not seen is reported as not found, with what the image looks like.
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
        /// Which method answered ("blazeface", "selfie-segmentation+faces", "efficientnet-proposals", …).
        public let route: String
        public let found: [Found]
        /// When nothing was found: why, and the nearest labels the network knows or sees.
        public let note: String?
    }

    /// A term read as an optional colour and a noun phrase.
    public struct Query: Sendable, Equatable {
        public let colour: String?
        public let noun: String
    }

    let models: PerceptionModels
    public let settings: FinderSettings
    let colours: ColourNamer
    private let groupLock = NSLock()
    nonisolated(unsafe) private var classGroups: [String?]?

    public init(models: PerceptionModels, settings: FinderSettings) throws {
        (self.models, self.settings) = (models, settings)
        colours = try ColourNamer(prototypes: settings.colours)
    }

    /// Splits `"face . person, cat"` into terms.
    public static func terms(_ query: String) -> [String] {
        query.lowercased().split(whereSeparator: { ".,;|".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Reads a leading colour word ("red cars" → red, "cars"; "gray cat" → grey, "cat") and keeps the noun phrase
    /// up to where it starts saying where or how the thing is (`phraseBreaks`: "boats out on the water" →
    /// "boats") or a number begins ("face 20px radius" → "face"); a phrase that would be left empty stays whole.
    public func query(_ term: String) -> Query {
        var words = term.split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "?!\"")) }.filter { !$0.isEmpty }
        if let cut = words.indices.dropFirst().first(where: { settings.phraseBreaks.contains(words[$0]) || words[$0].contains(where: \.isNumber) }) {
            words = Array(words[..<cut])
        }
        guard !words.isEmpty else { return Query(colour: nil, noun: term) }
        if words.count >= 2 {
            let first = settings.colourAliases[words[0]] ?? words[0]
            if settings.colours[first] != nil { return Query(colour: first, noun: words.dropFirst().joined(separator: " ")) }
        }
        return Query(colour: nil, noun: words.joined(separator: " "))
    }

    public func find(_ term: String, in image: RGBImage) throws -> TermResult {
        let q = query(term)
        let term = ([q.colour].compactMap { $0 } + [q.noun]).joined(separator: " ")   // as it is searched for
        let result = try findNoun(q.noun, term: term, in: image)
        guard let colour = q.colour, !result.found.isEmpty else { return result }
        let kept = result.found.filter { matches(colour, $0, in: image) }
        return TermResult(term: term, route: result.route + "+colour", found: kept,
                          note: kept.isEmpty ? "\(result.found.count) \(q.noun) found, none of them mostly \(colour)" : nil)
    }

    /// Whether the central part of an instance (its mask where there is one) is at least `colourMinimum` `colour`.
    func matches(_ colour: String, _ f: Found, in image: RGBImage) -> Bool {
        let b = PixelBox(normalized: f.box, width: image.width, height: image.height)
        let dx = (b.x1 - b.x0) / 5, dy = (b.y1 - b.y0) / 5
        let centre = f.mask == nil ? PixelBox(x0: b.x0 + dx, y0: b.y0 + dy, x1: b.x1 - dx, y1: b.y1 - dy) : b
        return (colours.fractions(image, box: centre, mask: f.mask)[colour] ?? 0) >= settings.colourMinimum
    }

    func findNoun(_ term: String, term original: String, in image: RGBImage) throws -> TermResult {
        let w = Double(image.width), h = Double(image.height)
        func norm(_ b: (Double, Double, Double, Double)) -> [Double] {
            [max(0, b.0 / w), max(0, b.1 / h), min(1, b.2 / w), min(1, b.3 / h)]
        }
        let routes = settings.routes
        if routes.face.contains(term) {
            let faces = try findFaces(image)
            return TermResult(term: original, route: "blazeface", found: faces.map { Found(label: "face", box: norm($0.box), score: $0.score, mask: nil) },
                              note: faces.isEmpty ? "no face found" : nil)
        }
        if routes.hand.contains(term) {
            let palms = try models.palms().detect(image)
            return TermResult(term: original, route: "palm-detection", found: palms.map { Found(label: "hand", box: norm($0.box), score: $0.score, mask: nil) },
                              note: palms.isEmpty ? "no hand found" : nil)
        }
        switch try personKind(term) {
        case .only:
            let people = try findPeople(image)
            return TermResult(term: original, route: "selfie-segmentation+faces", found: people, note: people.isEmpty ? "no person found" : nil)
        case .mostly:
            // A person first, a thing too ("speaker"): the people in the image, if there are any.
            let people = try findPeople(image)
            if !people.isEmpty { return TermResult(term: original, route: "selfie-segmentation+faces", found: people, note: nil) }
        case .no:
            break
        }
        if routes.text.contains(term) {
            let reader = try models.textReader()
            let (map, mw, mh) = try reader.networks.probabilityMap(image)
            let boxes = reader.postProcessor.boxes(map: map, width: mw, height: mh, imageWidth: image.width, imageHeight: image.height)
            let found = boxes.map { q in
                Found(label: "text", box: norm((q.map(\.x).min()!, q.map(\.y).min()!, q.map(\.x).max()!, q.map(\.y).max()!)), score: 1, mask: nil)
            }
            return TermResult(term: original, route: "ppocr-det", found: found, note: found.isEmpty ? "no text found" : nil)
        }
        return try classify(term, original: original, image)
    }

    /// The group a class belongs to ("Pekinese" → "dog"): the nearest of the settings' `groups` above it in
    /// WordNet, or nil.
    public func group(of classIndex: Int) throws -> String? {
        let all = try groups()
        return all.indices.contains(classIndex) ? all[classIndex] : nil
    }

    /// The group of every class, by class index (worked out once).
    public func groups() throws -> [String?] {
        let meaning = try models.meaning()
        groupLock.lock()
        defer { groupLock.unlock() }
        if let classGroups { return classGroups }
        var table: [Int: String] = [:]
        for word in settings.groups {
            guard let sense = try meaning.firstSense(word) else {
                throw SkillError.badManifest(file: "detect/finder.json", reason: "group \"\(word)\" is not a WordNet noun")
            }
            table[sense] = table[sense] ?? word
        }
        let made = try meaning.labels.synsets.indices.map { try meaning.group(of: $0, among: table) }
        classGroups = made
        return made
    }

    /// A person word: listed, or a kind of person in WordNet ("woman", "pedestrian"; not "whale"), or first a
    /// person and also a thing ("speaker": `.mostly`).
    func personKind(_ term: String) throws -> ImageNetMeaning.Kind {
        if settings.routes.person.contains(term) { return .only }
        let meaning = try models.meaning()
        guard let person = try meaning.firstSense(settings.routes.personSynset) else { return .no }
        return try meaning.kind(of: term, under: person)
    }
}
