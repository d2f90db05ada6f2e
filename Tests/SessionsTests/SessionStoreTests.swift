import Agent
import Foundation
import Sessions
import SkillKit
import TestSupport
import Testing
import ToolSchema
import Vision

/// Turns recorded step by step with a scripted planner, loaded back, replayed as text and HTML, and re-run
/// against the same skills with no differences (and with a changed skill, one).
@Suite struct SessionStoreTests {
    struct Flip: Skill {
        let manifest: SkillManifest
        let tag: String
        func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
            var image = try artifacts.image(json["image"]?.stringValue ?? "img0")
            image.pixels = image.pixels.map { 255 - $0 }
            let h = artifacts.add(image: image)
            return Observation(skill: manifest.name, image: "img0", lines: ["inverted \(tag)"], artifacts: [(h, "inverted image")])
        }
    }

    static func registry(tag: String = "colours") throws -> SkillRegistry {
        let schema = try JSONParser.parse(#"{"type": "object", "properties": {"image": {"type": "string"}}, "required": ["image"]}"#)
        return SkillRegistry(skills: [Flip(manifest: try SkillManifest(name: "invert", description: "invert", parameters: schema, implementation: .builtin("invert")), tag: tag)])
    }

    static func session() async throws -> (SessionStore, String, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-sessions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SessionStore(path: dir.appendingPathComponent("sessions.sqlite").path)
        let agent = Agent(registry: try registry(), planner: ScriptedPlanner([
            ScriptedPlanner.call("invert", #"{"image": "img0"}"#), ScriptedPlanner.answer("inverted: img1"), ScriptedPlanner.answer("hello"),
        ]), texts: try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")))
        agent.attach(try RGBImage(width: 8, height: 6, fill: (10, 20, 30)), name: "x.png")
        let recorder = try SessionRecorder(store: store, agent: agent, model: "scripted", title: "invert it")
        agent.recorder = { try recorder.record($0) }
        _ = try await agent.run("invert it")
        _ = try await agent.run("hi")
        return (store, recorder.id, dir)
    }

    @Test func recordsLoadsAndReplays() async throws {
        let (store, id, dir) = try await Self.session()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try store.load(String(id.prefix(12)))
        #expect(log.turns.count == 2 && log.turns[0].steps.map(\.kind) == ["plan", "call", "observation", "plan", "answer"])
        #expect(log.handles == ["img0", "img1"])
        #expect(try store.sessions().first?.id == id)
        let text = SessionReplay.transcript(log)
        #expect(text.contains("user: invert it") && text.contains("→ invert") && text.contains("answer: hello"), "\(text)")
        let html = SessionReport.html(log)
        #expect(html.components(separatedBy: "data:image/png;base64,").count == 3, "img0 and img1 inline")
        let same = try await SessionReplay.rerun(log, registry: try Self.registry())
        #expect(same.calls == 1 && same.differences.isEmpty)
        let changed = try await SessionReplay.rerun(log, registry: try Self.registry(tag: "hues"))
        #expect(changed.differences.count == 1 && changed.differences[0].now.contains("hues"))
        #expect(throws: SessionError.self) { try store.load("nope") }
    }

    @Test func aTurnCutShortKeepsItsCommittedSteps() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-sessions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SessionStore(path: dir.appendingPathComponent("s.sqlite").path)
        let agent = Agent(registry: try Self.registry(), planner: ScriptedPlanner([ScriptedPlanner.call("invert", #"{"image": "img0"}"#)]), texts: try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")))
        agent.attach(try RGBImage(width: 4, height: 4), name: "x.png")
        let recorder = try SessionRecorder(store: store, agent: agent, model: "scripted", title: "t")
        var seen = 0
        struct Stop: Error {}
        agent.recorder = { step in
            seen += 1
            if step.kind == .observation { throw Stop() }   // as if the process died while writing this step
            try recorder.record(step)
        }
        await #expect(throws: Stop.self) { _ = try await agent.run("invert it") }
        let log = try store.load(recorder.id)
        #expect(log.turns.count == 1 && log.turns[0].steps.map(\.kind) == ["plan", "call"])
        #expect(SessionReplay.transcript(log).contains("the turn ended here"))
    }

    /// Issue 14: with garbage in the middle of the database, `loupe run` added a session and exited 0, after which
    /// replays failed ("malformed"). A damaged store is now refused when opened, with how to recover, and the
    /// file is left exactly as it was.
    @Test func aDamagedStoreIsRefusedAndLeftUntouched() async throws {
        let path: String
        do {
            let (store, _, _) = try await Self.session()
            path = store.path
        }
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size >= 4 * 4096, "\(size) bytes")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var rng = SystemRandomNumberGenerator()
        for i in (2 * 4096)..<(3 * 4096) { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect { try SessionStore(path: path) } throws: { error in
            guard case .damaged? = error as? SessionError else { return false }
            return "\(error)".contains(".recover") && "\(error)".contains("will not write")
        }
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == bytes, "the damaged file was written to")
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int ?? 0
        #expect(walSize == 0, "a write-ahead log was started")
    }
}
