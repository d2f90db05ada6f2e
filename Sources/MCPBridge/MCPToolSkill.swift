import Foundation
import MCP
import SkillKit
import ToolSchema
import Vision

/// One tool of an MCP plugin, as a skill. Arguments whose schema has `"contentMediaType": "image/…"` are image
/// handles for the planner and PNG file paths for the plugin; text content comes back as observation lines,
/// image content as new image handles. Plugin failures (timeout, crash, garbage, `isError`) become error
/// observations through `SkillError.failed`.
public struct MCPToolSkill: Skill {
    public let manifest: SkillManifest
    public let connection: PluginConnection
    /// The tool's name on the plugin.
    public let toolName: String
    /// Top-level argument names that carry an image.
    public let imageArguments: Set<String>

    public init(manifest: SkillManifest, connection: PluginConnection, toolName: String, imageArguments: Set<String>) {
        (self.manifest, self.connection, self.toolName, self.imageArguments) = (manifest, connection, toolName, imageArguments)
    }

    /// The names of the top-level properties of `schema` that carry an image.
    public static func imageArguments(of schema: JSONValue) -> Set<String> {
        Set((schema["properties"]?.objectValue ?? []).compactMap { prop in
            prop.value["contentMediaType"]?.stringValue?.hasPrefix("image/") == true ? prop.key : nil
        })
    }

    /// The schema the planner sees: image properties described as handles.
    public static func plannerSchema(_ schema: JSONValue) -> JSONValue {
        let images = imageArguments(of: schema)
        return schema.mappingProperties { name, prop in
            images.contains(name) ? prop.setting("description", .string("image handle, e.g. img0")) : prop
        }
    }

    public func run(_ arguments: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-mcp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        var sent: [String: Value] = [:]
        var looked: (handle: String, width: Int, height: Int)?
        for (key, value) in arguments.objectValue ?? [] {
            guard imageArguments.contains(key), let handle = value.stringValue else { sent[key] = value.mcpValue; continue }
            let path = dir.appendingPathComponent("\(key)-\(handle).png").path
            guard let item = artifacts.item(handle) else { throw SkillError.unknownHandle(handle, known: artifacts.handles) }
            try ImageEncoder.write(item.picture, to: path)
            if looked == nil, case let .image(image) = item { looked = (handle, image.width, image.height) }
            sent[key] = .string(path)
        }

        let result: (content: [Tool.Content], isError: Bool)
        do {
            result = try await connection.callTool(toolName, arguments: sent)
        } catch let error as MCPBridgeError {
            throw SkillError.failed(skill: manifest.name, reason: error.description)
        }

        var observation = Observation(skill: manifest.name, image: looked?.handle, size: looked.map { ($0.width, $0.height) })
        var texts: [JSONValue] = [], made: [JSONValue] = []
        for item in result.content {
            switch item {
            case let .text(text, _, _):
                texts.append(.string(text))
                observation.lines += text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            case let .image(data, mimeType, _, _):
                guard let bytes = Data(base64Encoded: data) else {
                    throw SkillError.failed(skill: manifest.name, reason: "the plugin returned image content that is not base64")
                }
                let image: RGBImage
                do { image = try ImageDecoder().decode([UInt8](bytes), name: "\(toolName) result (\(mimeType))") } catch {
                    throw SkillError.failed(skill: manifest.name, reason: "the plugin returned an image Loupe cannot decode: \(error)")
                }
                let handle = artifacts.add(image: image)
                observation.artifacts.append((handle, "image \(image.width)x\(image.height) from \(manifest.name)"))
                made.append(.string(handle))
            case let .resource(resource, _, _):
                observation.lines.append("resource \(resource.uri)")
            case let .resourceLink(uri, name, _, _, _, _):
                observation.lines.append("link \(name): \(uri)")
            case .audio:
                observation.lines.append("(audio content, not shown)")
            }
        }
        if result.isError {
            let reason = texts.compactMap(\.stringValue).joined(separator: " ")
            throw SkillError.failed(skill: manifest.name, reason: reason.isEmpty ? "the plugin reported an error without a message" : reason)
        }
        observation.data = .object([("text", .array(texts)), ("images", .array(made))])
        return observation
    }
}
