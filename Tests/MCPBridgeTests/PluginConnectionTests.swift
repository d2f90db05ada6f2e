import Foundation
import MCPBridge
import SkillKit
import TestSupport
import Testing
import ToolSchema

/// A plugin that hangs, crashes, writes garbage or fails gives an error observation, and the next call works on a
/// fresh process (the fixture server Fixtures/flaky_server.py misbehaves on request).
@Suite struct PluginConnectionTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/flaky_server.py")

    static func registry(timeout: Double = 20, extraTools: Int = 0, flags: [String] = []) async throws -> (SkillRegistry, PluginConnection?) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-flaky-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let manifest = """
            {"name": "flaky", "description": "misbehaves on request",
             "implementation": {"mcp": {"command": ["python3", "\(script.path)", "--extra-tools", "\(extraTools)"\(flags.map { ", \"\($0)\"" }.joined())], "timeout_seconds": \(timeout)}}}
            """
        try manifest.write(to: folder.appendingPathComponent("skill.json"), atomically: true, encoding: .utf8)
        guard case let .plugin(plugin) = try SkillFolder.read(folder) else { throw CocoaError(.fileReadCorruptFile) }
        let list = try PluginList(file: folder.appendingPathComponent("plugins.json"))
        list.register(plugin, tools: try await PluginSkills.inspect(plugin, reserved: ["ocr"]))
        let registry = SkillRegistry(directories: [], pluginFolders: [folder], builtins: [:], plugins: PluginSkills.binder(list: list)) { _ in true }
        return (registry, (registry.entry("echo")?.skill as? MCPToolSkill)?.connection)
    }

    static func call(_ registry: SkillRegistry, _ name: String, _ args: String = "{}") async throws -> Observation {
        await registry.call(name, arguments: try JSONParser.parse(args), artifacts: Artifacts())
    }

    @Test func toolsBecomeSkillsAndAnswer() async throws {
        let (registry, _) = try await Self.registry()
        #expect(registry.available == ["echo", "sleep", "crash", "garbage", "fail", "big"])
        #expect(registry.entry("echo")?.source.hasPrefix("mcp flaky: ") == true)
        let o = try await Self.call(registry, "echo", #"{"text": "hello"}"#)
        #expect(o.error == nil && o.lines == ["echo: hello"], "\(o.text())")
        let bad = try await Self.call(registry, "echo", #"{"words": 1}"#)
        #expect(bad.error?.contains("text") == true, "schema from inputSchema is enforced: \(bad.text())")
        let failed = try await Self.call(registry, "fail")
        #expect(failed.error?.contains("the tool could not do it") == true, "\(failed.text())")
    }

    @Test func hangTimesOutAndTheNextCallWorks() async throws {
        let (registry, connection) = try await Self.registry(timeout: 1)
        let started = Date()
        let o = try await Self.call(registry, "sleep", #"{"seconds": 30}"#)
        #expect(Date().timeIntervalSince(started) < 25, "the 1 s timeout stopped the call")
        #expect(o.error?.contains("did not answer") == true, "\(o.text())")
        let next = try await Self.call(registry, "echo", #"{"text": "again"}"#)
        #expect(next.lines == ["echo: again"], "\(next.text())")
        #expect(await connection?.starts == 2)
    }

    @Test func crashAndGarbageAreReportedAndRecovered() async throws {
        let (registry, connection) = try await Self.registry()
        let crashed = try await Self.call(registry, "crash")
        #expect(crashed.error?.contains("exit status 3") == true, "\(crashed.text())")
        #expect(crashed.error?.contains("crashing on purpose") == true, "stderr is quoted: \(crashed.text())")
        #expect(try await Self.call(registry, "echo", #"{"text": "a"}"#).lines == ["echo: a"])
        let garbage = try await Self.call(registry, "garbage")
        #expect(garbage.error?.contains("not JSON-RPC") == true, "\(garbage.text())")
        #expect(try await Self.call(registry, "echo", #"{"text": "b"}"#).lines == ["echo: b"])
        #expect(await connection?.starts == 3)
    }

    @Test func killedMidCallGivesAnErrorObservation() async throws {
        let (registry, connection) = try await Self.registry(timeout: 20)
        _ = try await Self.call(registry, "echo", #"{"text": "warm"}"#)
        let pid = try #require(await connection?.processID)
        let call = Task { try await Self.call(registry, "sleep", #"{"seconds": 15}"#) }
        // Kill only once the request is certainly on its way (the test machine may be busy).
        var waited = 0
        while await connection?.inFlight == 0, waited < 2000 { try await Task.sleep(for: .milliseconds(10)); waited += 1 }
        try await Task.sleep(for: .milliseconds(100))
        kill(pid, SIGKILL)
        let o = try await call.value
        #expect(o.error?.contains("killed by signal 9") == true, "\(o.text())")
        #expect(try await Self.call(registry, "echo", #"{"text": "after"}"#).lines == ["echo: after"])
    }

    /// Issue 14: a 50 MB plugin result never arrived (the SDK's reader rescanned its buffer after every 4 KB).
    @Test func aFiftyMegabyteResultArrives() async throws {
        let (registry, _) = try await Self.registry(timeout: 60)
        let started = Date()
        let o = try await Self.call(registry, "big", #"{"bytes": 50000000}"#)
        #expect(o.error == nil, "\(o.text().prefix(300))")
        #expect(Date().timeIntervalSince(started) < 30, "\(Date().timeIntervalSince(started)) s")
    }

    /// Issue 14: 5,000 tools were accepted by `skills add` and overflowed every planner prompt.
    @Test func aPluginWithThousandsOfToolsIsRefused() async throws {
        await #expect { try await Self.registry(extraTools: 5000) } throws: { "\($0)".contains("at most \(PluginSkills.maximumTools)") }
    }

    /// Issue 14's hostile plugins: one that writes to stderr without end is still called, and Loupe keeps only
    /// the tail of what it wrote (memory stays flat).
    @Test func endlessStderrIsContained() async throws {
        func residentMB() -> Int {
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
        let (registry, _) = try await Self.registry(flags: ["--stderr-flood"])
        let before = residentMB()
        for i in 0..<5 {
            let o = try await Self.call(registry, "echo", #"{"text": "n\#(i)"}"#)
            #expect(o.error == nil && o.lines == ["echo: n\(i)"], "\(o.text())")
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(residentMB() - before < 200, "resident memory grew from \(before) to \(residentMB()) MB")
    }

    @Test func missingProgramIsAClearError() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-missing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try #"{"name": "ghost", "description": "x", "implementation": {"mcp": {"command": ["no-such-loupe-plugin"]}}}"#
            .write(to: folder.appendingPathComponent("skill.json"), atomically: true, encoding: .utf8)
        guard case let .plugin(plugin) = try SkillFolder.read(folder) else { throw CocoaError(.fileReadCorruptFile) }
        await #expect(throws: MCPBridgeError.self) { try await PluginSkills.inspect(plugin, reserved: []) }
        do { _ = try await PluginSkills.inspect(plugin, reserved: []) } catch {
            #expect("\(error)".contains("not found beside loupe"), "\(error)")
        }
        // Not registered: listed with what to run, never called.
        let registry = SkillRegistry(directories: [], pluginFolders: [folder], builtins: [:],
                                     plugins: PluginSkills.binder(list: try PluginList(file: folder.appendingPathComponent("p.json")))) { _ in true }
        #expect(registry.entry("ghost")?.problem?.contains("loupe skills add") == true)
    }
}
