import Foundation
import ToolSchema

/// What a `skills/<name>/` folder declares: one skill implemented in Swift, or an MCP plugin whose tools
/// become skills.
public enum SkillFolder: Sendable {
    case skill(SkillManifest)
    case plugin(PluginManifest)

    /// Reads and checks `folder/skill.json` (and `examples.md` if present).
    public static func read(_ folder: URL) throws -> SkillFolder {
        let path = folder.appendingPathComponent("skill.json").path
        let json = try loadJSON(path)
        if json["implementation"]?["mcp"] != nil { return .plugin(try PluginManifest(json: json, file: path, folder: folder)) }
        return .skill(try SkillManifest(json: json, file: path, folder: folder))
    }

    /// Parses a skill.json file of at most 1 MiB.
    static func loadJSON(_ path: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SkillError.badManifest(file: path, reason: "cannot read the file (every skill folder needs a skill.json)")
        }
        guard data.count <= 1 << 20, let text = String(data: data, encoding: .utf8) else {
            throw SkillError.badManifest(file: path, reason: "not UTF-8 text of at most 1 MiB")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw SkillError.badManifest(file: path, reason: "not JSON: \(error)") }
        guard json.objectValue != nil else { throw SkillError.badManifest(file: path, reason: "the top level must be a JSON object") }
        return json
    }

    /// Skill and plugin names: 1–64 letters, digits, `_` or `-` (what MCP and the planner's grammar accept).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }
    }
}
