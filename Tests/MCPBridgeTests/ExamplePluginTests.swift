import Foundation
import MCPBridge
import SkillKit
import TestSupport
import Testing
import ToolSchema
import Vision

/// The example plugin (examples/palette-plugin, the `loupe-palette` program): it registers, its tools run as
/// skills with image handles in and out, and a plugin killed mid-call gives an error observation, after which the
/// next call works.
@Suite struct ExamplePluginTests {
    static let folder = Fixtures.repository.appendingPathComponent("examples/palette-plugin/skills/palette")

    static func registry() async throws -> SkillRegistry {
        _ = try Fixtures.builtProduct("loupe-palette")
        guard case let .plugin(plugin) = try SkillFolder.read(folder) else { throw CocoaError(.fileReadCorruptFile) }
        let list = try PluginList(file: FileManager.default.temporaryDirectory.appendingPathComponent("loupe-plugins-\(UUID().uuidString).json"))
        let tools = try await PluginSkills.inspect(plugin, reserved: ["ocr", "detect", "segment", "tag", "retrieve", "edit"])
        #expect(tools.map(\.name) == ["palette", "posterize"])
        list.register(plugin, tools: tools)
        return SkillRegistry(directories: [], pluginFolders: [folder], builtins: [:], plugins: PluginSkills.binder(list: list)) { _ in true }
    }

    static func photo() throws -> RGBImage {
        try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/images/mountain.png").path)
    }

    @Test func paletteAndPosterizeRunAsSkills() async throws {
        let registry = try await Self.registry()
        let artifacts = Artifacts()
        let photo = try Self.photo()
        artifacts.setUserImage(photo)
        let o = await registry.call("palette", arguments: try JSONParser.parse(#"{"image": "img0", "colors": 3}"#), artifacts: artifacts)
        #expect(o.error == nil && o.lines.count == 3, "\(o.text())")
        #expect(o.lines.allSatisfy { $0.hasPrefix("#") && $0.hasSuffix("%") }, "\(o.lines)")
        #expect(o.image == "img0" && o.size?.width == photo.width)
        let p = await registry.call("posterize", arguments: try JSONParser.parse(#"{"image": "img0", "levels": 2}"#), artifacts: artifacts)
        let handle = try #require(p.artifacts.first?.handle, "\(p.text())")
        let poster = try artifacts.image(handle)
        #expect(poster.width == photo.width && poster.height == photo.height)
        #expect(Set(poster.pixels).isSubset(of: [0, 255]), "two levels per channel")
        let missing = await registry.call("palette", arguments: try JSONParser.parse(#"{"image": "img7"}"#), artifacts: artifacts)
        #expect(missing.error?.contains("unknown handle") == true)
    }

    @Test func killedMidCallThenTheNextCallWorks() async throws {
        let registry = try await Self.registry()
        let connection = try #require((registry.entry("palette")?.skill as? MCPToolSkill)?.connection)
        let artifacts = Artifacts()
        artifacts.setUserImage(try Self.photo())
        let args = try JSONParser.parse(#"{"image": "img0"}"#)
        #expect(await registry.call("palette", arguments: args, artifacts: artifacts).error == nil)
        // Freeze the plugin so the next call is certainly in flight, then kill it.
        let pid = try #require(await connection.processID)
        kill(pid, SIGSTOP)
        let call = Task { await registry.call("palette", arguments: args, artifacts: artifacts) }
        // Kill only once the request is certainly on its way (the test machine may be busy).
        var waited = 0
        while await connection.inFlight == 0, waited < 2000 { try await Task.sleep(for: .milliseconds(10)); waited += 1 }
        try await Task.sleep(for: .milliseconds(100))
        kill(pid, SIGKILL)
        let killed = await call.value
        #expect(killed.error?.contains("killed by signal 9") == true, "\(killed.text())")
        #expect(killed.hint != nil)
        let next = await registry.call("palette", arguments: args, artifacts: artifacts)
        #expect(next.error == nil && !next.lines.isEmpty, "\(next.text())")
        #expect(await connection.starts == 2)
    }
}
