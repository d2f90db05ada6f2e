import Foundation
import ModelStore
import SkillKit
import Skills
import TestSupport
import Testing
import ToolSchema
import Vision

/// The retrieval index on 25 real photos (the fixture photos and scikit-image's sample photos): text queries
/// rank the right photo first (by labels, by OCR text), an image query finds the image itself, re-indexing an
/// unchanged folder runs no network, removed files drop out, a changed file is analysed again.
@Suite struct LibraryIndexTests {
    static func library() throws -> (LibraryIndex, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-library-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("fixtures"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("samples"), withIntermediateDirectories: true)
        for f in try fm.contentsOfDirectory(atPath: Fixtures.root.appendingPathComponent("vision/images").path) where f.hasSuffix(".png") {
            try fm.copyItem(at: Fixtures.root.appendingPathComponent("vision/images/\(f)"), to: root.appendingPathComponent("fixtures/\(f)"))
        }
        let samples = URL(fileURLWithPath: try Fixtures.modelPath("sample-images")).deletingLastPathComponent()
        for f in try fm.contentsOfDirectory(atPath: samples.path) where f.hasSuffix(".png") || f.hasSuffix(".jpg") {
            try fm.copyItem(at: samples.appendingPathComponent(f), to: root.appendingPathComponent("samples/\(f)"))
        }
        let store = try ModelStore.standard()
        let models = PerceptionModels { model, file in try store.installedFile(model: model, file: file).path }
        return (try LibraryIndex(path: root.appendingPathComponent("library.sqlite").path, models: models), root)
    }

    @Test func indexesSearchesAndReindexes() async throws {
        let (index, root) = try Self.library()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try index.add(directory: root)
        #expect(first.added >= 20 && first.failed.isEmpty, "\(first)")
        #expect(first.analysed == first.added)
        func top(_ query: String) throws -> String { try index.search(text: query, k: 3).first.map { URL(fileURLWithPath: $0.path).lastPathComponent } ?? "" }
        #expect(try top("a cat") == "chelsea.png")
        #expect(try top("a cup of espresso") == "coffee.png")
        #expect(try top("an airplane") == "spitfire.png")
        #expect(try top("a motorcycle") == "motorcycle_left.png")
        #expect(try top("Kodak") == "ocr_kodak_card.png", "found by its OCR text")
        let why = try index.search(text: "Kodak", k: 1).first?.why ?? ""
        #expect(why.contains("words found"), "\(why)")
        // A word's classes through WordNet: "kittens" and "felines" name no label, but the house cats fall under them.
        #expect(try top("felines") == "chelsea.png")
        let meant = try index.search(text: "cats", k: 1).first
        #expect(meant?.path.hasSuffix("chelsea.png") == true && meant?.why.hasPrefix("classes of \"cats\"") == true, "\(meant?.why ?? "")")
        let cat = try ImageDecoder().decode(file: root.appendingPathComponent("samples/chelsea.png").path)
        #expect(try index.search(image: cat, k: 1).first?.path.hasSuffix("chelsea.png") == true)

        let again = try index.add(directory: root)
        #expect(again.analysed == 0 && again.unchanged == first.added && again.added == 0, "\(again)")

        try FileManager.default.removeItem(at: root.appendingPathComponent("samples/coffee.png"))
        let changed = root.appendingPathComponent("samples/moon.png")
        try FileManager.default.removeItem(at: changed)
        try FileManager.default.copyItem(at: root.appendingPathComponent("samples/chelsea.png"), to: changed)
        let third = try index.add(directory: root)
        #expect(third.removed == 1 && third.updated == 1 && third.analysed == 1, "\(third)")
        #expect(try index.count() == first.added - 1)
        #expect(try top("a cup of espresso") != "coffee.png")
    }

    @Test func retrieveSkillExplainsAndNeedsAnIndex() async throws {
        let (index, root) = try Self.library()
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = try SkillManifest(folder: Fixtures.skillsFolder.appendingPathComponent("retrieve"))
        let skill = RetrieveSkill(manifest: manifest, library: { index })
        let registry = SkillRegistry(skills: [skill])
        let empty = await registry.call("retrieve", arguments: try JSONParser.parse(#"{"query": "a cat"}"#), artifacts: Artifacts())
        #expect(empty.error?.contains("loupe index add") == true, "\(empty.text())")
        _ = try index.add(directory: root.appendingPathComponent("samples"))
        let artifacts = Artifacts()
        let o = await registry.call("retrieve", arguments: try JSONParser.parse(#"{"query": "a cat", "k": 3}"#), artifacts: artifacts)
        #expect(o.lines.count == 4 && o.lines[1].contains("chelsea.png") && o.lines[1].contains("similarity"), "\(o.text())")
        #expect(o.artifacts.count == 3)
        // The top hit is an image of the session at full size, so a later step (ocr, edit) can use it.
        let first = try artifacts.image(try #require(o.artifacts.first?.handle))
        let original = try ImageDecoder().decode(file: root.appendingPathComponent("samples/chelsea.png").path)
        #expect(first.width == original.width && first.height == original.height)
        #expect(o.artifacts.first?.what == "result 1: chelsea.png")
    }

    @Test func searchWeightsAreReadAndChecked() throws {
        #expect(try SearchWeights.read(in: Fixtures.skillsFolder) == SearchWeights(textMatch: 0.2, meaning: 0.5))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("search-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"textMatch": 0.2, "meaning": 9}"#.utf8).write(to: file)
        #expect { try SearchWeights.read(file) } throws: { "\($0)".contains("from 0 to 2") }
    }
}
