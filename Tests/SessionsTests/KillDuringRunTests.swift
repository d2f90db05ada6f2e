import Foundation
import Sessions
import TestSupport
import Testing

/// `kill -9` of `loupe run` at random moments, 20 times: the database still opens, every session in it loads,
/// and every committed call re-runs with the same observation (`loupe replay ID --rerun`).
@Suite struct KillDuringRunTests {
    @Test func everyCommittedStepSurvivesAKill() async throws {
        let binary = try Fixtures.builtProduct("loupe")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("plan.jsonl")
        try """
            {"call": {"name": "edit", "arguments": {"image": "img0", "operation": "grayscale"}}}
            {"call": {"name": "edit", "arguments": {"image": "img0", "operation": "sketch"}}}
            {"call": {"name": "edit", "arguments": {"image": "img0", "operation": "blur", "value": 6}}}
            {"answer": "done"}
            """.write(to: script, atomically: true, encoding: .utf8)
        let database = dir.appendingPathComponent("sessions.sqlite").path
        var env = ProcessInfo.processInfo.environment
        env["LOUPE_SESSIONS"] = database
        env["LOUPE_SKILLS"] = Fixtures.skillsFolder.path
        env["LOUPE_PLUGINS"] = dir.appendingPathComponent("plugins.json").path
        let photo = Fixtures.root.appendingPathComponent("vision/images/mountain.png").path

        func loupe(_ args: [String]) throws -> ChildProcess { try ChildProcess(binary.path, args, environment: env) }
        var rng = SplitMix(seed: 42)
        var finished = 0
        for i in 0..<20 {
            let p = try loupe(["run", "--script", script.path, "--image", photo, "--out", dir.appendingPathComponent("out\(i)").path, "make it grey"])
            let delay = Double(rng.next() % 900) / 1000
            try await Task.sleep(for: .seconds(delay))
            if p.isRunning { p.signal(SIGKILL) } else { finished += 1 }
            try await p.wait(seconds: 30)
        }

        let store = try SessionStore(path: database)
        let sessions = try store.sessions()
        #expect(!sessions.isEmpty, "some runs got as far as creating their session")
        var replayed = 0
        for s in sessions {
            let log = try store.load(s.id)
            #expect(!SessionReplay.transcript(log).isEmpty)
            // Steps are committed in order: no gaps in any turn.
            for turn in log.turns { #expect(turn.steps.map(\.index) == Array(1...max(1, turn.steps.count)).prefix(turn.steps.count).map { $0 }) }
            let calls = log.turns.flatMap(\.steps).filter { $0.kind == "observation" }.count
            guard calls > 0 else { continue }
            let replay = try loupe(["replay", s.id, "--rerun"])
            #expect(try await replay.wait(seconds: 120) == 0, "session \(s.id): a committed call re-ran differently")
            replayed += 1
        }
        #expect(replayed > 0, "at least one killed or finished run had committed a call (\(finished) of 20 finished)")
    }
}
