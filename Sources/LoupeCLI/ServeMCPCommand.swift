import ArgumentParser
import Foundation
import MCPBridge

/// `loupe serve-mcp`: Loupe's skills as an MCP server on stdin and stdout.
struct ServeMCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-mcp", abstract: "Serve Loupe's skills to other agents over MCP (stdio).",
        discussion: """
            Speaks MCP (JSON-RPC, one message per line) on stdin and stdout; anything else Loupe would print goes to \
            stderr. tools/list gives every skill that can run here; tools/call runs one. An "image" argument is a path \
            to a PNG or JPEG file inside a folder given with --allow (default: the working folder; symbolic links \
            leading out are refused), or a handle (img0, img1, …) returned earlier on the same connection; results \
            carry the observation text, the images and masks made (PNG) and the structured observation.
            """)

    @Option(help: "Largest image accepted, in pixels.")
    var maxPixels = 40_000_000

    @Option(name: .customLong("allow"), help: "A folder whose image files clients may name (repeatable; default: the working folder).")
    var allow: [String] = []

    func run() async throws {
        // Keep the protocol channel to ourselves: the real stdout becomes a private descriptor and fd 1 points at stderr,
        // so that a stray print cannot corrupt the stream.
        let protocolOut = dup(1)
        guard protocolOut >= 0, dup2(2, 1) >= 0 else { throw CLIError("cannot set up stdout for MCP: errno \(errno)") }
        let registry = try SkillEnvironment.registry()
        FileHandle.standardError.write(Data("loupe serve-mcp: \(registry.available.count) skills (\(registry.available.joined(separator: ", ")))\n".utf8))
        let allowed = try AllowedFolders(allow.isEmpty ? ["."] : allow)
        FileHandle.standardError.write(Data("loupe serve-mcp: images may be read from \(allowed.folders.map { $0.isEmpty ? "/" : $0 }.joined(separator: ", "))\n".utf8))
        let server = MCPSkillServer(registry: registry, allowed: allowed, maxPixels: maxPixels)
        try await server.runStdio(output: protocolOut)
    }
}
