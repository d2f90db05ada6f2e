import Foundation
import ToolSchema

/// A skill's declaration, read from `skills/<name>/skill.json`: name, description, argument schema, where the
/// implementation lives, the models it needs, and the few-shot examples from `examples.md` beside it.
///
/// ```json
/// {"name": "ocr", "description": "…", "parameters": {…JSON Schema…},
///  "implementation": {"builtin": "ocr"}, "models": ["ppocr-det", "ppocr-rec"]}
/// ```
/// Skills that come from an MCP plugin (see `PluginManifest`) get a manifest made from the tool's
/// `inputSchema`, with implementation `.mcp`.
public struct SkillManifest: Sendable {
    public enum Implementation: Sendable, Equatable {
        /// A Swift type compiled into Loupe, by its registration name.
        case builtin(String)
        /// A tool of an MCP plugin: the plugin's name and command.
        case mcp(plugin: String, command: [String])
    }

    public let name: String
    public let description: String
    public let tool: ToolSpec
    public let implementation: Implementation
    public let models: [String]
    /// The contents of examples.md (empty when there is none).
    public let examples: String
    /// Typical requests this skill serves (skill.json `requests`), for routing requests to skills.
    public let requests: [String]
    /// Calls the agent makes before this skill's call (skill.json `before`).
    public let before: [SkillPrerequisite]
    /// The folder it was read from (nil for manifests made in code).
    public let folder: URL?

    public init(name: String, description: String, parameters: JSONValue, implementation: Implementation, models: [String] = [],
                examples: String = "", requests: [String] = [], before: [SkillPrerequisite] = [], folder: URL? = nil) throws {
        tool = try ToolSpec(name: name, description: description, parameters: parameters)
        (self.name, self.description, self.implementation, self.models, self.examples, self.requests, self.before, self.folder) =
            (name, description, implementation, models, examples, requests, before, folder)
    }

    /// Reads and checks `folder/skill.json` (and `examples.md` if present), which must declare a Swift skill;
    /// use `SkillFolder.read` for folders that may hold an MCP plugin.
    public init(folder: URL) throws {
        let path = folder.appendingPathComponent("skill.json").path
        try self.init(json: try SkillFolder.loadJSON(path), file: path, folder: folder)
    }

    init(json: JSONValue, file path: String, folder: URL) throws {
        guard let name = json["name"]?.stringValue, SkillFolder.isValidName(name) else {
            throw SkillError.badManifest(file: path, reason: "field \"name\" must be a string of letters, digits, '_' or '-' (1–64 characters)")
        }
        guard let description = json["description"]?.stringValue, !description.isEmpty else {
            throw SkillError.badManifest(file: path, reason: "field \"description\" (a non-empty string) is missing")
        }
        guard let parameters = json["parameters"] else {
            throw SkillError.badManifest(file: path, reason: "field \"parameters\" (a JSON Schema object) is missing")
        }
        guard let builtin = json["implementation"]?["builtin"]?.stringValue else {
            throw SkillError.badManifest(file: path, reason: "field \"implementation\" must be {\"builtin\": NAME} or {\"mcp\": {\"command\": [...]}}")
        }
        let models = json["models"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let r = json["requests"], r.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            throw SkillError.badManifest(file: path, reason: "field \"requests\" must be an array of strings (typical requests for this skill)")
        }
        let requests = json["requests"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var before: [SkillPrerequisite] = []
        if let b = json["before"] {
            guard let list = b.arrayValue else {
                throw SkillError.badManifest(file: path, reason: "field \"before\" must be an array of {\"when\", \"call\", \"arguments\"}")
            }
            let names = Set(parameters["properties"]?.objectValue?.map(\.key) ?? [])
            before = try list.enumerated().map { try SkillPrerequisite(json: $1, parameters: names, file: path, index: $0) }
        }
        let examples = (try? String(contentsOf: folder.appendingPathComponent("examples.md"), encoding: .utf8)) ?? ""
        do {
            try self.init(name: name, description: description, parameters: parameters, implementation: .builtin(builtin), models: models,
                          examples: examples, requests: requests, before: before, folder: folder)
        } catch let error as ToolSchemaError {
            throw SkillError.badManifest(file: path, reason: "\(error)")
        }
    }
}
