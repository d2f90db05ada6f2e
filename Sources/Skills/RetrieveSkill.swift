import Foundation
import SkillKit
import ToolSchema
import Vision

/// `retrieve`: images from the user's indexed library (`loupe index add DIR`) ranked for a text query or
/// by likeness to an image handle, each with why it matched; thumbnails of the top three as artifacts.
public struct RetrieveSkill: Skill {
    public let manifest: SkillManifest
    let library: @Sendable () throws -> LibraryIndex

    public init(manifest: SkillManifest, library: @escaping @Sendable () throws -> LibraryIndex) { (self.manifest, self.library) = (manifest, library) }

    public func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let args = Arguments(skill: manifest.name, json: json)
        let k = args.int("k") ?? 5
        let index = try library()
        guard try index.count() > 0 else {
            throw SkillError.failed(skill: manifest.name, reason: "the library is empty; index a folder first with `loupe index add DIR`")
        }
        let hits: [LibraryIndex.Hit]
        let what: String
        if let handle = args.string("image") {
            hits = try index.search(image: try artifacts.image(handle), k: k)
            what = "like \(handle)"
        } else {
            let query = try args.require("query")
            hits = try index.search(text: query, k: k)
            what = "\"\(query)\""
        }
        var made: [(handle: String, what: String)] = []
        for (i, hit) in hits.prefix(3).enumerated() {
            if let image = try? ImageDecoder().decode(file: hit.path), let thumb = try? image.fitted(within: 256) {
                made.append((artifacts.add(image: thumb), "thumbnail of result \(i + 1)"))
            }
        }
        let lines = hits.enumerated().map { "\($0.offset + 1). \($0.element.path) \(rounded($0.element.score)) — \($0.element.why)" }
        return Observation(skill: manifest.name, lines: ["\(hits.count) images for \(what)"] + lines, artifacts: made,
                           data: .object([("results", .array(hits.map {
                               .object([("path", .string($0.path)), ("score", .number($0.score)), ("why", .string($0.why))])
                           }))]))
    }
}
