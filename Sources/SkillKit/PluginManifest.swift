import Foundation
import ToolSchema

/// A plugin folder's declaration: a program that speaks MCP over stdio, each of whose tools becomes a skill.
///
/// ```json
/// {"name": "palette", "description": "…",
///  "implementation": {"mcp": {"command": ["loupe-palette"], "timeout_seconds": 30}}}
/// ```
/// The command's program is resolved when the plugin starts: a path with a slash is taken relative to the
/// folder; a bare name is looked up beside the `loupe` executable, then on `PATH`.
public struct PluginManifest: Sendable {
    public let name: String
    public let description: String
    /// Program and arguments, as written in skill.json (relative paths already made absolute).
    public let command: [String]
    /// How long one tool call may take before the plugin is stopped and the call reported as failed.
    public let timeoutSeconds: Double
    /// The contents of examples.md (empty when there is none): few-shot examples for the planner.
    public let examples: String
    /// Typical requests per tool (skill.json `"requests": {"TOOL": ["…", …]}`), which teach the plan chooser.
    public let requests: [String: [String]]
    public let folder: URL

    public init(name: String, description: String, command: [String], timeoutSeconds: Double, examples: String = "",
                requests: [String: [String]] = [:], folder: URL) {
        (self.name, self.description, self.command, self.timeoutSeconds, self.examples, self.requests, self.folder) =
            (name, description, command, timeoutSeconds, examples, requests, folder)
    }

    /// Reads `implementation.mcp` of an already parsed skill.json.
    init(json: JSONValue, file: String, folder: URL) throws {
        guard let name = json["name"]?.stringValue, SkillFolder.isValidName(name) else {
            throw SkillError.badManifest(file: file, reason: "field \"name\" must be a string of letters, digits, '_' or '-' (1–64 characters)")
        }
        guard let description = json["description"]?.stringValue, !description.isEmpty else {
            throw SkillError.badManifest(file: file, reason: "field \"description\" (a non-empty string) is missing")
        }
        guard let mcp = json["implementation"]?["mcp"] else {
            throw SkillError.badManifest(file: file, reason: "field \"implementation.mcp\" is missing")
        }
        guard let parts = mcp["command"]?.arrayValue, !parts.isEmpty, parts.allSatisfy({ $0.stringValue != nil }) else {
            throw SkillError.badManifest(file: file, reason: "implementation.mcp.command must be a non-empty array of strings, e.g. [\"my-server\", \"--stdio\"]")
        }
        var command = parts.compactMap(\.stringValue)
        guard !command[0].isEmpty else { throw SkillError.badManifest(file: file, reason: "implementation.mcp.command[0] (the program) is empty") }
        if !command[0].hasPrefix("/"), command[0].contains("/") { command[0] = folder.appendingPathComponent(command[0]).standardized.path }
        let timeout = mcp["timeout_seconds"]?.doubleValue ?? 60
        guard timeout > 0, timeout <= 3600 else {
            throw SkillError.badManifest(file: file, reason: "implementation.mcp.timeout_seconds must be in (0, 3600], got \(timeout)")
        }
        let examples = (try? String(contentsOf: folder.appendingPathComponent("examples.md"), encoding: .utf8)) ?? ""
        var requests: [String: [String]] = [:]
        if let r = json["requests"] {
            guard let tools = r.objectValue, tools.count <= 256,
                  tools.allSatisfy({ $0.value.arrayValue?.allSatisfy { $0.stringValue.map { $0.count <= 500 } ?? false } ?? false }) else {
                throw SkillError.badManifest(file: file, reason: "field \"requests\" must map each tool name to an array of request strings (at most 500 characters each)")
            }
            for (tool, list) in tools { requests[tool] = list.arrayValue!.compactMap(\.stringValue) }
        }
        self.init(name: name, description: description, command: command, timeoutSeconds: timeout, examples: examples, requests: requests, folder: folder)
    }
}
