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
        /// How many nearest class names by MiniLM meaning a word WordNet lacks covers.
        public var nearestByMeaning: Int
    }

    /// The instance search: class mass per cell of one convolutional pass, regions of strong cells as
    /// instances, boxes snapped to region proposals, each verified on its crop.
    public struct Instances: Sendable, Codable {
        /// Longer side of the convolutional pass's input (rounded to a multiple of 32).
        public var denseSide: Int
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
        /// Instances overlapping a better one by this IoU are dropped.
        public var overlap: Double
        /// Instances lying this much inside a better one are dropped.
        public var containment: Double
        /// Class-activation cells at this fraction of the peak form the fallback boxes.
        public var camThreshold: Double
    }

    /// The instance search again on tiles, for objects too small for the whole-image pass.
    public struct Tiles: Sendable, Codable {
        /// Tiles per side (below 2: no tiles).
        public var grid: Int
        /// How much tiles overlap, as a fraction of their side.
        public var overlap: Double
        /// How many regions per tile are verified …
        public var verifyCount: Int
        /// … and the least class mass on their crops.
        public var verifyMinimum: Double
        /// A tile's instances' scores are multiplied by this (the whole image's win where both find one).
        public var weight: Double
    }

    /// The box of the strongest instances chosen among the proposals holding them, by classifying their crops.
    public struct Choose: Sendable, Codable {
        /// How many instances (strongest first) get a chosen box; 0 turns it off.
        public var count: Int
        /// How many proposals are classified per instance (spread over their sizes).
        public var candidates: Int
        /// A proposal holds an instance when it covers this share of the instance's cells' box.
        public var holding: Double
        /// Score of a box: class mass on its crop × its area (0…1) to this power.
        public var areaWeight: Double
    }

    /// The extent of the best instances by GrabCut around their boxes.
    public struct Refine: Sendable, Codable {
        /// How many instances (best first) are refined; 0 turns it off.
        public var count: Int
        /// The cut runs in the box grown by this fraction of its sides on each side.
        public var expand: Double
        public var iterations: Int
        public var workingPixels: Int
        /// The refined box is kept when its area is at least this share of the box's …
        public var minimumShare: Double
        /// … and at most this share of the grown box's.
        public var maximumShare: Double
    }

    /// People: the selfie mask's parts split by the faces in them; a face outside the mask is a person too.
    public struct People: Sendable, Codable {
        /// Smallest part of the mask, as a fraction of the image.
        public var minimumPart: Double
        /// A lone face's person box: face width × `width` wide, from `above` face heights over it to `below` under its top.
        public var width: Double
        public var above: Double
        public var below: Double
    }

    public var routes: Routes
    /// Colour name → sRGB prototypes.
    public var colours: [String: [[Double]]]
    /// Other spellings of colour names ("gray" → "grey").
    public var colourAliases: [String: String]
    /// Least fraction of an instance's central pixels in the asked colour.
    public var colourMinimum: Double
    public var seen: Seen
    public var instances: Instances
    public var tiles: Tiles
    public var refine: Refine
    public var choose: Choose
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
        guard (64...1024).contains(i.denseSide), (0...16).contains(i.verifyCount), (0...4).contains(settings.tiles.grid), (0...16).contains(settings.refine.count), (0...8).contains(settings.choose.count), (0...32).contains(settings.choose.candidates), (1...10).contains(settings.refine.iterations),
              (1_000...1_000_000).contains(settings.refine.workingPixels), (0...16).contains(settings.tiles.verifyCount),
              (0..<1).contains(settings.tiles.overlap), (0...1).contains(i.overlap), (0...1).contains(i.containment),
              (32...1024).contains(settings.proposals.workingSide), settings.proposals.scales.count <= 4,
              (32...1024).contains(settings.repeated.workingSide) else {
            throw SkillError.badManifest(file: url.path, reason: "a setting is out of range (denseSide 64…1024, verifyCount 0…16, tiles.grid 0…4, refine.count 0…16, choose.count 0…8, choose.candidates 0…32, refine.iterations 1…10, refine.workingPixels 1000…1000000, tiles.overlap 0…1, workingSide 32…1024, ≤ 4 scales)")
        }
        return settings
    }

    /// The standard file of a skills folder.
    public static func file(in skills: URL) -> URL { skills.appendingPathComponent("detect/finder.json") }
}
