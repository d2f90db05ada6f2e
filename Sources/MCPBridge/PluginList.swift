import Foundation
import SkillKit
import ToolSchema

/// The plugins registered with `loupe skills add`: for each plugin folder, its name, command and a snapshot of
/// its tools (name, description, input schema) taken when it was added, so that start-up needs no plugin
/// process. Stored as JSON (default `~/.config/loupe/plugins.json`).
public final class PluginList: @unchecked Sendable {
    public struct Tool: Sendable {
        public let name: String
        public let description: String
        public let inputSchema: JSONValue
        public init(name: String, description: String, inputSchema: JSONValue) {
            (self.name, self.description, self.inputSchema) = (name, description, inputSchema)
        }
    }

    public struct Registration: Sendable {
        /// The plugin folder, absolute.
        public let folder: String
        public let name: String
        /// The command as it was when added; a changed skill.json must be added again.
        public let command: [String]
        public let tools: [Tool]
        public let added: String
    }

    public let file: URL
    public private(set) var registrations: [Registration] = []

    /// Reads `file`; a missing file is an empty list.
    public init(file: URL) throws {
        self.file = file
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        guard let data = FileManager.default.contents(atPath: file.path), data.count <= 16 << 20, let text = String(data: data, encoding: .utf8) else {
            throw MCPBridgeError.pluginList(file: file.path, reason: "cannot read it as UTF-8 text of at most 16 MiB")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw MCPBridgeError.pluginList(file: file.path, reason: "not JSON: \(error)") }
        guard let items = json["plugins"]?.arrayValue else {
            throw MCPBridgeError.pluginList(file: file.path, reason: "field \"plugins\" (an array) is missing")
        }
        for (i, item) in items.enumerated() {
            guard let folder = item["folder"]?.stringValue, let name = item["name"]?.stringValue,
                  let command = item["command"]?.arrayValue?.compactMap(\.stringValue), let tools = item["tools"]?.arrayValue else {
                throw MCPBridgeError.pluginList(file: file.path, reason: "plugins[\(i)] needs folder, name, command and tools (edit or delete the file, then `loupe skills add` again)")
            }
            let parsed = try tools.enumerated().map { j, t -> Tool in
                guard let n = t["name"]?.stringValue, let schema = t["inputSchema"] else {
                    throw MCPBridgeError.pluginList(file: file.path, reason: "plugins[\(i)].tools[\(j)] needs name and inputSchema")
                }
                return Tool(name: n, description: t["description"]?.stringValue ?? "", inputSchema: schema)
            }
            registrations.append(Registration(folder: folder, name: name, command: command, tools: parsed, added: item["added"]?.stringValue ?? ""))
        }
    }

    public func registration(folder: URL) -> Registration? {
        let path = folder.standardizedFileURL.path
        return registrations.first { $0.folder == path }
    }

    /// Adds or replaces the registration of `plugin` (matched by folder, and by name: one plugin per name).
    public func register(_ plugin: PluginManifest, tools: [Tool]) {
        let folder = plugin.folder.standardizedFileURL.path
        registrations.removeAll { $0.folder == folder || $0.name == plugin.name }
        let added = ISO8601DateFormatter().string(from: Date())
        registrations.append(Registration(folder: folder, name: plugin.name, command: plugin.command, tools: tools, added: added))
    }

    /// Removes the plugin of that name; false when there is none.
    @discardableResult
    public func remove(name: String) -> Bool {
        let before = registrations.count
        registrations.removeAll { $0.name == name }
        return registrations.count != before
    }

    /// Writes the list atomically.
    public func save() throws {
        let json = JSONValue.object([("plugins", .array(registrations.map { r in
            .object([
                ("folder", .string(r.folder)), ("name", .string(r.name)), ("command", .array(r.command.map { .string($0) })),
                ("added", .string(r.added)),
                ("tools", .array(r.tools.map { .object([("name", .string($0.name)), ("description", .string($0.description)), ("inputSchema", $0.inputSchema)]) })),
            ])
        }))])
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(json.description.utf8).write(to: file, options: .atomic)
        } catch {
            throw MCPBridgeError.pluginList(file: file.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
