import Foundation
import SkillKit
import Skills
import TestSupport
import Testing

/// `skills/detect/finder.json` as shipped, and damaged copies of it.
@Suite struct FinderSettingsTests {
    @Test func readsTheShippedFileAndRefusesBadOnes() throws {
        let shipped = FinderSettings.file(in: Fixtures.skillsFolder)
        let settings = try FinderSettings.read(shipped)
        #expect(settings.routes.face.contains("face") && settings.colours["red"] != nil && !settings.groups.isEmpty)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("finder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("finder.json")
        var json = try String(contentsOf: shipped, encoding: .utf8)
        json = json.replacingOccurrences(of: "\"discFill\": [", with: "\"discFill\": [2, ")
        try json.write(to: bad, atomically: true, encoding: .utf8)
        do { _ = try FinderSettings.read(bad); Issue.record("a three-number discFill was accepted") } catch {
            #expect("\(error)".contains("discFill"))
        }
        try Data("{\"routes\": 1}".utf8).write(to: bad)
        #expect(throws: SkillError.self) { try FinderSettings.read(bad) }
        #expect(throws: SkillError.self) { try FinderSettings.read(dir.appendingPathComponent("missing.json")) }
    }
}

/// A query reads as an optional colour and the noun phrase that names the thing, without where or how it is.
@Suite struct QueryReadingTests {
    @Test func theNounPhraseStopsWhereItSaysWhereTheThingIs() throws {
        let models = PerceptionModels { model, _ in throw SkillError.missingModel(skill: "detect", model: model, hint: "not needed to read a query") }
        let finder = try ObjectFinder(models: models, settings: FinderSettings.read(FinderSettings.file(in: Fixtures.skillsFolder)))
        func q(_ query: ObjectFinder.Query) -> (String?, String) { (query.colour, query.noun) }
        #expect(q(finder.query("boats out on the water")) == (nil, "boats"))
        #expect(q(finder.query("red car parked in front of the cabin")) == ("red", "car"))
        #expect(q(finder.query("face 20px radius")) == (nil, "face"))
        #expect(q(finder.query("cup of coffee")) == (nil, "cup of coffee"), "of names what the thing is")
        #expect(q(finder.query("gray cat")) == ("grey", "cat"))
        #expect(q(finder.query("on")) == (nil, "on"), "never empty")
        #expect(q(finder.query("mcdonald's sign down there?")) == (nil, "mcdonald's sign"))
    }
}
