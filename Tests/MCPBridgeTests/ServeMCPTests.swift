import Foundation
import MCP
import SystemPackage
import TestSupport
import Testing

/// `loupe serve-mcp` answers a real MCP client (the swift-sdk's) over stdio: tools/list lists Loupe's skills with
/// their schemas, tools/call runs one on an image file and returns text, the image it made and structured content.
/// Image paths are confined to the allowed folders (issue 14: `tag {"image": "/etc/shadow"}` quoted the file's
/// first bytes, and "no such file" told which files exist).
@Suite struct ServeMCPTests {
    @Test func listsAndCallsSkillsOverStdio() async throws {
        let loupe = try Fixtures.builtProduct("loupe")
        // The working folder (allowed by default) holds a photo, a link out of it and a file that is no image.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-mcp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: Fixtures.root.appendingPathComponent("vision/images/mountain.png"), to: folder.appendingPathComponent("mountain.png"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("link.png").path, withDestinationPath: "/etc/passwd")
        try Data("root:secret\n".utf8).write(to: folder.appendingPathComponent("notes.png"))
        let process = Process()
        process.executableURL = loupe
        process.arguments = ["serve-mcp"]
        process.currentDirectoryURL = folder
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

        let photo = "mountain.png"
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
        // Outside the folders: the same answer whether the file exists or not, and nothing of its bytes.
        func said(_ r: (content: [Tool.Content], isError: Bool?)) -> String {
            r.content.compactMap { if case let .text(t, _, _) = $0 { return t } else { return nil } }.joined()
        }
        for path in ["/etc/passwd", "/etc/no-such-file", "../../etc/passwd", "link.png"] {
            let refused = try await client.callTool(name: "tag", arguments: ["image": .string(path)])
            #expect(refused.isError == true && said(refused).contains("outside the allowed folders") && !said(refused).contains("root"), "\(path): \(said(refused))")
        }
        let notImage = try await client.callTool(name: "tag", arguments: ["image": "notes.png"])
        #expect(said(notImage).contains("is not a PNG or JPEG image") && !said(notImage).contains("72 6f"), "\(said(notImage))")
        let unknown = try await client.callTool(name: "teleport", arguments: [:])
        #expect(unknown.isError == true)
        await client.disconnect()
    }
}
