import Foundation
import SkillKit
import ToolSchema
import Vision

/// `retrieve`: images from the user's indexed library (`loupe index add DIR`) ranked for a text query or
/// by likeness to an image handle, each with why it matched; the top three as images of the session (at most 2048 px a side), for a later step to read or edit.
public struct RetrieveSkill: Skill {
    public let manifest: SkillManifest
    let library: @Sendable () throws -> LibraryIndex

    public init(manifest: SkillManifest, library: @escaping @Sendable () throws -> LibraryIndex) { (self.manifest, self.library) = (manifest, library) }

    public func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let args = Arguments(skill: manifest.name, json: json)
        let k = try args.number("k", in: 1...20, whole: true).map { Int($0) } ?? 5
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
        // The top three hits become images of the session (at most 2048 px on a side), so a later step can read or edit them.
        var made: [(handle: String, what: String)] = []
        var handles: [String?] = Array(repeating: nil, count: hits.count)
        for (i, hit) in hits.prefix(3).enumerated() {
            if let image = try? ImageDecoder().decode(file: hit.path), let fitted = try? image.fitted(within: 2048) {
                let h = artifacts.add(image: fitted)
                handles[i] = h
                made.append((h, "result \(i + 1): \((hit.path as NSString).lastPathComponent)"))
            }
        }
        let lines = hits.enumerated().map { "\($0.offset + 1). \($0.element.path) \(rounded($0.element.score)) — \($0.element.why)" }
        let files = hits.map { ($0.path as NSString).lastPathComponent }
        let stems = files.map { ($0 as NSString).deletingPathExtension }
        let facts = ["situation": hits.isEmpty ? "none" : "results", "count": "\(hits.count)", "query": what,
                     "files": EnglishWords.list(files), "top": files.first ?? "", "file": (files + stems).joined(separator: "|")]
        return Observation(skill: manifest.name, lines: ["\(hits.count) images for \(what)"] + lines, artifacts: made,
                           data: .object([("results", .array(hits.enumerated().map { i, hit in
                               var m: [(key: String, value: JSONValue)] = [("path", .string(hit.path)), ("score", .number(hit.score)), ("why", .string(hit.why))]
                               if let h = handles[i] { m.append(("image", .string(h))) }
                               return .object(m)
                           }))]), facts: facts)
    }
}
