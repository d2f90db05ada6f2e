import Foundation
import SkillKit
import Vision

/// What `ObjectFinder` reads from `skills/detect/finder.json`: which words go to which network, colour
/// prototypes, the groups `tag` names labels by, and every threshold of the instance search (data, so
/// they are tuned on the dev set without touching code).
public struct FinderSettings: Sendable, Codable {
    /// Words routed to a network ("face", "hand", "text", "person"); any word whose common senses fall under
    /// `personSynset`'s first sense in WordNet also goes to people.
    public struct Routes: Sendable, Codable {
        public var face: [String]
        public var hand: [String]
        public var text: [String]
        public var person: [String]
        public var personSynset: String
    }

    /// When a term's classes count as seen in the whole image.
    public struct Seen: Sendable, Codable {
        public var rank: Int
        public var probability: Double
        public var total: Double
        /// How many nearest class names by MiniLM meaning a word WordNet lacks covers …
        public var nearestByMeaning: Int
        /// … and how near (cosine) they must be for a word WordNet knows but files under no class.
        public var nearMeaning: Double
    }

    /// The instance search: class mass per cell of one convolutional pass, regions of strong cells as
    /// instances, boxes snapped to region proposals, each verified on its crop.
    public struct Instances: Sendable, Codable {
        /// Longer side of each convolutional pass's input (rounded to a multiple of 32); their maps are averaged.
        public var denseSides: [Int]
        /// No instance unless some cell has this class mass (probability summed over the term's classes).
        public var cellMinimum: Double
        /// Seed cells are above the map's median by this fraction of the way to its peak …
        public var cellRelative: Double
        /// … and instances grow over cells above it by this fraction.
        public var cellGrow: Double
        /// How many regions are classified again on their own crop.
        public var verifyCount: Int
        /// Least class mass on its crop for a region to be kept.
        public var verifyMinimum: Double
        /// A region's box becomes the proposal fitting it best when their IoU is at least this.
        public var snapMinimum: Double
        /// Context added around a crop, as a fraction of its sides.
        public var context: Double
        /// Each kept box grows by this fraction of its width and height on every side.
        public var grow: Double
        /// Instances overlapping a better one by this IoU are dropped.
        public var overlap: Double
        /// Instances lying this much inside a better one are dropped.
        public var containment: Double
        /// Class-activation cells at this fraction of the peak form the fallback boxes.
        public var camThreshold: Double
    }

    /// People: the selfie mask's parts split by the faces in them; a face outside the mask is a person too.
    public struct People: Sendable, Codable {
        /// Smallest part of the mask, as a fraction of the image.
        public var minimumPart: Double
        /// A lone face's person box: face width × `width` wide, from `above` face heights over it to `below` under its top.
        public var width: Double
        public var above: Double
        public var below: Double
        /// In a photo where faces were found, a part holding no face is a person only if it is at least this
        /// share of the smallest part that holds one, or the segmenter is at least `facelessProbability` sure
        /// of it on average (a picture on the wall, a hand or a sleeve on its own is neither).
        public var facelessArea: Double
        public var facelessProbability: Double
    }

    public var routes: Routes
    /// Colour name → sRGB prototypes.
    public var colours: [String: [[Double]]]
    /// Other spellings of colour names ("gray" → "grey").
    public var colourAliases: [String: String]
    /// Least fraction of an instance's central pixels in the asked colour.
    public var colourMinimum: Double
    /// Words after which a query's noun phrase says where or how the thing is, not what it is ("boats out on
    /// the water", "the car parked in front"): the phrase is cut before the first of them.
    public var phraseBreaks: [String]
    public var seen: Seen
    public var instances: Instances
    public var proposals: RegionProposals.Settings
    public var repeated: RepeatedObjects.Settings
    public var people: People
    /// Words `tag` groups labels under ("dog", "bird", …), nearest first.
    public var groups: [String]

    /// Reads and checks `skills/detect/finder.json` (or another file of that shape).
    public static func read(_ url: URL) throws -> FinderSettings {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = attributes?[.size] as? Int else { throw SkillError.badManifest(file: url.path, reason: "is missing") }
        guard size <= 1 << 20 else { throw SkillError.badManifest(file: url.path, reason: "is \(size) bytes, more than 1 MiB") }
        let settings: FinderSettings
        do { settings = try JSONDecoder().decode(FinderSettings.self, from: try Data(contentsOf: url)) } catch {
            throw SkillError.badManifest(file: url.path, reason: "\(error)")
        }
        let i = settings.instances
        guard !i.denseSides.isEmpty, i.denseSides.count <= 4, i.denseSides.allSatisfy({ (64...1024).contains($0) }), (0...16).contains(i.verifyCount),
              (0...1).contains(i.overlap), (0...1).contains(i.containment), (0...1).contains(i.grow), (0...1).contains(settings.colourMinimum),
              (32...1024).contains(settings.proposals.workingSide), (1...4).contains(settings.proposals.scales.count),
              settings.proposals.scales.allSatisfy({ $0 > 0 }), (32...1024).contains(settings.repeated.workingSide),
              settings.repeated.maximumCount >= settings.repeated.minimumCount, settings.repeated.peakSeparation > 0,
              settings.repeated.discFill.count == 2, settings.repeated.discFill[0] <= settings.repeated.discFill[1] else {
            throw SkillError.badManifest(file: url.path, reason: "a setting is out of range (1–4 denseSides of 64…1024, verifyCount 0…16, "
                + "overlap, containment, grow and colourMinimum 0…1, workingSide 32…1024, 1–4 positive proposal scales, repeated maximumCount ≥ minimumCount, "
                + "peakSeparation > 0, discFill [low, high])")
        }
        return settings
    }

    /// The standard file of a skills folder.
    public static func file(in skills: URL) -> URL { skills.appendingPathComponent("detect/finder.json") }
}
