import Foundation
import MCP
import SkillKit
import ToolSchema

/// Turns registered plugins into skills, and checks a plugin folder before it is registered.
public enum PluginSkills {
    /// The registry's binder: one skill per tool of each registered plugin, all sharing one `PluginConnection`
    /// (started on first call). A plugin that is not registered, or whose skill.json changed since, yields one
    /// unavailable entry that says what to run.
    public static func binder(list: PluginList) -> SkillRegistry.PluginBinder {
        { plugin in
            guard let registration = list.registration(folder: plugin.folder) else {
                return [.unavailable(plugin: plugin, problem: "not registered: run `loupe skills add \(plugin.folder.path)`")]
            }
            guard registration.command == plugin.command else {
                return [.unavailable(plugin: plugin, problem: "skill.json changed since it was added: run `loupe skills add \(plugin.folder.path)` again")]
            }
            let connection = PluginConnection(plugin: plugin)
            return registration.tools.enumerated().map { i, tool in
                do {
                    // The plugin's few-shot examples go with its first tool, so the prompt has them once.
                    let manifest = try SkillManifest(
                        name: tool.name, description: tool.description.isEmpty ? "\(tool.name) (from plugin \(plugin.name))" : tool.description,
                        parameters: MCPToolSkill.plannerSchema(tool.inputSchema),
                        implementation: .mcp(plugin: plugin.name, command: plugin.command),
                        examples: i == 0 ? plugin.examples : "", requests: plugin.requests[tool.name] ?? [], folder: plugin.folder)
                    let skill = MCPToolSkill(manifest: manifest, connection: connection, toolName: tool.name,
                                             imageArguments: MCPToolSkill.imageArguments(of: tool.inputSchema))
                    return SkillRegistry.Entry(manifest: manifest, skill: skill, problem: nil)
                } catch {
                    return .unavailable(plugin: plugin, problem: "tool \(tool.name): \(error)")
                }
            }
        }
    }

    /// Most tools one plugin may have.
    public static let maximumTools = 64

    /// Starts the plugin, lists its tools and checks each one: a valid name not in `reserved`, a description, and
    /// an input schema Loupe can validate and constrain decoding with. Stops the plugin afterwards.
    public static func inspect(_ plugin: PluginManifest, reserved: Set<String>) async throws -> [PluginList.Tool] {
        let connection = PluginConnection(plugin: plugin)
        let listed: [MCP.Tool]
        do { listed = try await connection.listTools() } catch {
            await connection.stop()
            throw error
        }
        await connection.stop()
        guard !listed.isEmpty else { throw MCPBridgeError.badTools(plugin: plugin.name, reason: "tools/list returned no tools") }
        guard listed.count <= maximumTools else {
            throw MCPBridgeError.badTools(plugin: plugin.name, reason: "tools/list returned \(listed.count) tools; a plugin may have at most \(maximumTools) (each one is a plan the classifier learns); split it into several plugins")
        }
        var seen = Set<String>()
        return try listed.map { tool in
            guard SkillFolder.isValidName(tool.name) else {
                throw MCPBridgeError.badTools(plugin: plugin.name, reason: "tool name \(tool.name.debugDescription) must be 1–64 letters, digits, '_' or '-'")
            }
            guard !reserved.contains(tool.name) else {
                throw MCPBridgeError.badTools(plugin: plugin.name, reason: "tool \"\(tool.name)\" has the name of a skill Loupe already has; rename it in the plugin")
            }
            guard seen.insert(tool.name).inserted else { throw MCPBridgeError.badTools(plugin: plugin.name, reason: "tool \"\(tool.name)\" is listed twice") }
            let schema = JSONValue(mcp: tool.inputSchema)
            do {
                _ = try ToolSpec(name: tool.name, description: tool.description ?? tool.name, parameters: MCPToolSkill.plannerSchema(schema))
            } catch {
                throw MCPBridgeError.badTools(plugin: plugin.name, reason: "tool \"\(tool.name)\": its inputSchema cannot be used: \(error)")
            }
            return PluginList.Tool(name: tool.name, description: tool.description ?? "", inputSchema: schema)
        }
    }
}
