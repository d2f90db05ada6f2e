import Foundation
import SkillKit

/// How `retrieve` scores an image for a text query (`skills/retrieve/search.json`): MiniLM similarity of the
/// query to the image's labels and text, plus `textMatch` when the query's words are in its labels or OCR text,
/// plus `meaning` times the probability the classifier gives the classes the query's words cover in WordNet
/// ("dogs" → every dog breed, so three puppies outrank a dog sled).
public struct SearchWeights: Sendable, Codable, Equatable {
    public var textMatch: Double
    public var meaning: Double

    public init(textMatch: Double = 0.2, meaning: Double = 0.5) { (self.textMatch, self.meaning) = (textMatch, meaning) }

    /// Reads `file`; each weight must be a number from 0 to 2.
    public static func read(_ file: URL) throws -> SearchWeights {
        guard let data = FileManager.default.contents(atPath: file.path), data.count <= 1 << 16 else {
            throw SkillError.badManifest(file: file.path, reason: "missing, unreadable or over 64 KiB")
        }
        let w: SearchWeights
        do {
            w = try JSONDecoder().decode(SearchWeights.self, from: data)
        } catch {
            throw SkillError.badManifest(file: file.path, reason: "expected {\"textMatch\": number, \"meaning\": number}: \(error)")
        }
        guard (0...2).contains(w.textMatch), (0...2).contains(w.meaning) else {
            throw SkillError.badManifest(file: file.path, reason: "textMatch and meaning must be numbers from 0 to 2")
        }
        return w
    }

    /// `skills/retrieve/search.json` in the skills folder `skills`, or the defaults when there is none.
    public static func read(in skills: URL) throws -> SearchWeights {
        let file = skills.appendingPathComponent("retrieve/search.json")
        return FileManager.default.fileExists(atPath: file.path) ? try read(file) : SearchWeights()
    }
}
