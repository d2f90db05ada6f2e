import Foundation
import ToolSchema

/// A skill's declaration, read from `skills/<name>/skill.json`: name, description, argument schema, where the
/// implementation lives, the models it needs, and the few-shot examples from `examples.md` beside it.
///
/// ```json
/// {"name": "ocr", "description": "…", "parameters": {…JSON Schema…},
///  "implementation": {"builtin": "ocr"}  or  {"mcp": {"command": ["path/to/server", "arg"], "timeout_seconds": 30}},
///  "models": ["ppocr-det", "ppocr-rec"]}
/// ```
public struct SkillManifest: Sendable {
    public enum Implementation: Sendable, Equatable {
        /// A Swift type compiled into Loupe, by its registration name.
        case builtin(String)
        /// A program speaking MCP over stdio (command and arguments), with a call timeout.
        case mcp(command: [String], timeoutSeconds: Double)
    }

    public let name: String
    public let description: String
    public let tool: ToolSpec
    public let implementation: Implementation
    public let models: [String]
    /// The contents of examples.md (empty when there is none).
    public let examples: String
    /// The folder it was read from (nil for manifests made in code).
    public let folder: URL?

    public init(name: String, description: String, parameters: JSONValue, implementation: Implementation, models: [String] = [],
                examples: String = "", folder: URL? = nil) throws {
        tool = try ToolSpec(name: name, description: description, parameters: parameters)
        (self.name, self.description, self.implementation, self.models, self.examples, self.folder) =
            (name, description, implementation, models, examples, folder)
    }

    /// Reads and checks `folder/skill.json` (and `examples.md` if present).
    public init(folder: URL) throws {
        let file = folder.appendingPathComponent("skill.json")
        let path = file.path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SkillError.badManifest(file: path, reason: "cannot read the file (every skill folder needs a skill.json)")
        }
        guard data.count <= 1 << 20, let text = String(data: data, encoding: .utf8) else {
            throw SkillError.badManifest(file: path, reason: "not UTF-8 text of at most 1 MiB")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw SkillError.badManifest(file: path, reason: "\(error)") }
        guard let name = json["name"]?.stringValue else { throw SkillError.badManifest(file: path, reason: "field \"name\" (a string) is missing") }
        guard let description = json["description"]?.stringValue, !description.isEmpty else {
            throw SkillError.badManifest(file: path, reason: "field \"description\" (a non-empty string) is missing")
        }
        guard let parameters = json["parameters"] else {
            throw SkillError.badManifest(file: path, reason: "field \"parameters\" (a JSON Schema object) is missing")
        }
        let implementation: Implementation
        if let builtin = json["implementation"]?["builtin"]?.stringValue {
            implementation = .builtin(builtin)
        } else if let mcp = json["implementation"]?["mcp"] {
            guard let parts = mcp["command"]?.arrayValue?.compactMap(\.stringValue), !parts.isEmpty else {
                throw SkillError.badManifest(file: path, reason: "implementation.mcp.command must be a non-empty array of strings")
            }
            // A relative program path is relative to the skill folder.
            var command = parts
            if !command[0].hasPrefix("/"), command[0].contains("/") { command[0] = folder.appendingPathComponent(command[0]).standardized.path }
            let timeout = mcp["timeout_seconds"]?.doubleValue ?? 60
            guard timeout > 0, timeout <= 3600 else { throw SkillError.badManifest(file: path, reason: "implementation.mcp.timeout_seconds must be in (0, 3600]") }
            implementation = .mcp(command: command, timeoutSeconds: timeout)
        } else {
            throw SkillError.badManifest(file: path, reason: "field \"implementation\" must be {\"builtin\": NAME} or {\"mcp\": {\"command\": [...]}}")
        }
        let models = json["models"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let examplesURL = folder.appendingPathComponent("examples.md")
        let examples = (try? String(contentsOf: examplesURL, encoding: .utf8)) ?? ""
        do {
            try self.init(name: name, description: description, parameters: parameters, implementation: implementation, models: models,
                          examples: examples, folder: folder)
        } catch let error as ToolSchemaError {
            throw SkillError.badManifest(file: path, reason: "\(error)")
        }
    }
}
