import Foundation
import MCP
import SystemPackage
import TestSupport
import Testing

/// `loupe serve-mcp` answers a real MCP client (the swift-sdk's) over stdio: tools/list lists Loupe's skills with
/// their schemas, tools/call runs one on an image file and returns text, the image it made and structured content.
@Suite struct ServeMCPTests {
    @Test func listsAndCallsSkillsOverStdio() async throws {
        let loupe = try Fixtures.builtProduct("loupe")
        let process = Process()
        process.executableURL = loupe
        process.arguments = ["serve-mcp"]
        var env = ProcessInfo.processInfo.environment
        env["LOUPE_SKILLS"] = Fixtures.skillsFolder.path
        env["LOUPE_PLUGINS"] = FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID().uuidString).json").path
        process.environment = env
        let toServer = Pipe(), fromServer = Pipe()
        process.standardInput = toServer
        process.standardOutput = fromServer
        try process.run()
        // Should anything hang, the server is stopped, its pipe closes and the client's wait fails.
        let watchdog = Task { try await Task.sleep(for: .seconds(180)); if process.isRunning { process.terminate() } }
        defer { watchdog.cancel(); if process.isRunning { process.terminate() } }

        let client = Client(name: "loupe-test", version: "1")
        let transport = StdioTransport(input: FileDescriptor(rawValue: fromServer.fileHandleForReading.fileDescriptor),
                                       output: FileDescriptor(rawValue: toServer.fileHandleForWriting.fileDescriptor))
        let initialized = try await client.connect(transport: transport)
        #expect(initialized.serverInfo.name == "loupe")

        let (tools, _) = try await client.listTools()
        #expect(Set(tools.map(\.name)).isSuperset(of: ["ocr", "detect", "segment", "tag", "edit"]), "\(tools.map(\.name))")
        let edit = try #require(tools.first { $0.name == "edit" })
        #expect(edit.inputSchema.objectValue?["properties"]?.objectValue?["operation"] != nil)

        let photo = Fixtures.root.appendingPathComponent("vision/images/mountain.png").path
        let result = try await client.callTool(name: "edit", arguments: ["image": .string(photo), "operation": "grayscale"])
        #expect(result.isError != true)
        guard case let .text(text, _, _)? = result.content.first else { Issue.record("no text content: \(result.content)"); return }
        #expect(text.contains("<observation skill=\"edit\" image=\"img0\"") && text.contains("img1"), "\(text)")
        let images = result.content.compactMap { item -> String? in if case let .image(data, "image/png", _, _) = item { return data } else { return nil } }
        #expect(images.count == 1 && (Data(base64Encoded: images[0])?.count ?? 0) > 1000)

        // A handle from the earlier call works as input; a bad path is an error result, not a dead server.
        let tagged = try await client.callTool(name: "tag", arguments: ["image": "img0", "top_k": 3])
        #expect(tagged.isError != true, "\(tagged.content)")
        let bad = try await client.callTool(name: "tag", arguments: ["image": "/no/such/file.png"])
        #expect(bad.isError == true)
        let unknown = try await client.callTool(name: "teleport", arguments: [:])
        #expect(unknown.isError == true)
        await client.disconnect()
    }
}
