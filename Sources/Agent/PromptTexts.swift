import Foundation
import SkillKit
import ToolSchema

/// Wording the agent adds to the planner's prompt — the lead-ins of the few-shot examples and the hints of error
/// observations — read from `skills/prompts.json`, so it is data, not literals in code.
public struct PromptTexts: Sendable {
    public var examplesIntro: String
    public var requestIntro: String
    /// Hint after a plan step's call could not be read (`{skill}`).
    public var malformedCallHint: String
    /// Hint after a free step's call could not be read.
    public var malformedFreeHint: String
    /// Error and hint when a free step repeats a call (`{handles}`).
    public var repeatedCallError: String
    public var repeatedCallHint: String
    /// The note on a step run again on the whole image after finding nothing in the part it was pointed at.
    public var widenedNote: String
    /// Most characters of tool descriptions and schemas the system turn carries (`tools_block_characters`); tools
    /// past it (a plugin with many) are not shown there, and are reached through the plan choice alone.
    public var toolsBlockCharacters = 16_000

    /// Reads `skills/prompts.json`; every field is required.
    public static func read(_ file: URL) throws -> PromptTexts {
        guard let data = FileManager.default.contents(atPath: file.path), data.count <= 1 << 20, let text = String(data: data, encoding: .utf8) else {
            throw AgentError.prompt(file: file.path, reason: "missing, unreadable or over 1 MiB (it ships in the repository's skills/)")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw AgentError.prompt(file: file.path, reason: "not JSON: \(error)") }
        func field(_ key: String) throws -> String {
            guard let s = json[key]?.stringValue, !s.isEmpty else { throw AgentError.prompt(file: file.path, reason: "\"\(key)\" must be a non-empty string") }
            return s
        }
        var texts = PromptTexts(examplesIntro: try field("examples_intro"), requestIntro: try field("request_intro"),
                                malformedCallHint: try field("malformed_call_hint"), malformedFreeHint: try field("malformed_free_hint"),
                                repeatedCallError: try field("repeated_call_error"), repeatedCallHint: try field("repeated_call_hint"),
                                widenedNote: try field("widened_note"))
        if let v = json["tools_block_characters"] {
            guard let n = v.intValue, (1_000...200_000).contains(n) else {
                throw AgentError.prompt(file: file.path, reason: "\"tools_block_characters\" must be a whole number from 1000 to 200000")
            }
            texts.toolsBlockCharacters = n
        }
        return texts
    }

    /// An error observation for the planner, in the observation format.
    static func errorObservation(skill: String, error: String, hint: String) -> String {
        var o = Observation(skill: skill)
        (o.error, o.hint) = (error, hint)
        return o.text()
    }
}
