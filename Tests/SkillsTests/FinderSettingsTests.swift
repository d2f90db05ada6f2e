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
