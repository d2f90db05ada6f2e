import Agent
import Foundation
import SkillKit
import TestSupport
import Testing
import ToolSchema

/// Issue 14: a plugin with 150 tools (12k tokens) overflowed the planner's context and every `loupe run` failed.
/// The system turn now shows tools only up to `tools_block_characters`; every built-in skill fits.
@Suite struct ToolsBlockTests {
    static func texts() throws -> PromptTexts { try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")) }

    @Test func everyBuiltInSkillFits() throws {
        let tools = try RealPlanner.manifests().map(\.tool)
        #expect(PromptBuilder.fitted(tools, characters: try Self.texts().toolsBlockCharacters).map(\.name) == tools.map(\.name))
    }

    @Test func manyPluginToolsStayOutOfThePrompt() throws {
        let texts = try Self.texts()
        let builtins = try RealPlanner.manifests().map(\.tool)
        let schema = try JSONParser.parse(#"{"type": "object", "properties": {"text": {"type": "string", "description": "what to look up in the catalogue of things"}}}"#)
        let many = try (0..<150).map { try ToolSpec(name: "tool\($0)", description: String(repeating: "A tool that does one thing of many. ", count: 8), parameters: schema) }
        let shown = PromptBuilder.fitted(builtins + many, characters: texts.toolsBlockCharacters)
        #expect(Array(shown.prefix(builtins.count)).map(\.name) == builtins.map(\.name), "built-in skills come first")
        #expect(shown.count < builtins.count + many.count)
        let builder = PromptBuilder(instructions: "You are Loupe.", texts: texts)
        let (_, system) = builder.render(PlannerRequest(tools: builtins + many, examples: [], messages: [], allowTools: true), examples: [])
        let (_, alone) = builder.render(PlannerRequest(tools: [], examples: [], messages: [], allowTools: true), examples: [])
        #expect(system.count - alone.count <= texts.toolsBlockCharacters * 2, "\(system.count - alone.count) characters of tools")
    }
}
