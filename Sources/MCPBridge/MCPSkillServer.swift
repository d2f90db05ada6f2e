import Foundation
import MCP
import SkillKit
import SystemPackage
import ToolSchema
import Vision

/// Loupe's skills as an MCP server (`loupe serve-mcp`): `tools/list` gives every skill that can run, with its
/// schema; `tools/call` runs it. An `image` argument is a path to a PNG or JPEG file in an allowed folder
/// (`AllowedFolders`), or a handle returned by an
/// earlier call of the same connection; results are the observation text, the images and masks the call made
/// (PNG), and the structured observation. Planner-level problems come back with `isError: true`.
public final class MCPSkillServer: Sendable {
    public let registry: SkillRegistry
    /// The images and masks of this connection.
    public let artifacts = Artifacts()
    private let maxPixels: Int
    /// The folders image paths may name.
    public let allowed: AllowedFolders
    private let turnstile = Turnstile()

    public init(registry: SkillRegistry, allowed: AllowedFolders, maxPixels: Int = ImageDecoder.defaultMaxPixels) {
        (self.registry, self.allowed, self.maxPixels) = (registry, allowed, maxPixels)
    }

    /// The tools advertised by `tools/list`.
    public var tools: [Tool] {
        registry.tools.map { spec in
            let schema = spec.parameters.mappingProperties { name, prop in
                name == "image" ? prop.setting("description", .string("path to a PNG or JPEG file in the folders the server allows, or a handle (img0, img1, …) returned by an earlier call")) : prop
            }
            return Tool(name: spec.name, description: spec.description, inputSchema: schema.mcpValue)
        }
    }

    /// Runs one `tools/call` (one at a time, in arrival order).
    public func call(_ name: String, arguments: [String: Value]?) async -> CallTool.Result {
        await turnstile.enter()
        let result = await callAlone(name, arguments: arguments)
        await turnstile.leave()
        return result
    }

    private func callAlone(_ name: String, arguments: [String: Value]?) async -> CallTool.Result {
        var members = (arguments ?? [:]).keys.sorted().map { ($0, JSONValue(mcp: arguments![$0]!)) }
        if let i = members.firstIndex(where: { $0.0 == "image" }), let value = members[i].1.stringValue, artifacts.item(value) == nil {
            do {
                let image = try ImageDecoder(maxPixels: maxPixels).decode(try allowed.readImage(value), name: value)
                let handle: String
                if artifacts.item("img0") == nil { artifacts.setUserImage(image); handle = "img0" } else { handle = artifacts.add(image: image) }
                members[i].1 = .string(handle)
            } catch {
                let known = artifacts.handles
                let message = "\"image\" is neither a readable image file nor a handle of this connection (\(known.isEmpty ? "none yet" : known.joined(separator: ", "))): \(error)"
                return CallTool.Result(content: [.text(text: message, annotations: nil, _meta: nil)], isError: true)
            }
        }
        let observation = await registry.call(name, arguments: .object(members.map { (key: $0.0, value: $0.1) }), artifacts: artifacts)
        var content: [Tool.Content] = [.text(text: observation.text(budget: 8000), annotations: nil, _meta: nil)]
        for (handle, _) in observation.artifacts {
            guard let image = artifacts.item(handle)?.picture, let png = try? PNGCodec.encode(image) else { continue }
            content.append(.image(data: Data(png).base64EncodedString(), mimeType: "image/png", annotations: nil, _meta: Metadata(additionalFields: ["handle": .string(handle)])))
        }
        return CallTool.Result(content: content, structuredContent: Optional<Value>.some(observation.json.mcpValue), isError: observation.error != nil)
    }

    /// Serves on `transport` until the client disconnects.
    public func run(transport: any Transport) async throws {
        let server = Server(name: "loupe", version: "0.1", capabilities: .init(tools: .init(listChanged: false)))
        let tools = self.tools
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: tools) }
        await server.withMethodHandler(CallTool.self) { [self] params in await self.call(params.name, arguments: params.arguments) }
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
    }

    /// Serves on stdin and the file descriptor `output` (the process's real stdout) until stdin closes; a
    /// request line may be at most `maximumMessage` bytes.
    public func runStdio(output: Int32, maximumMessage: Int = 16 << 20) async throws {
        try await run(transport: LineTransport(input: .standardInput, output: FileDescriptor(rawValue: output), maximumMessage: maximumMessage,
                                               label: "loupe.serve-mcp", screen: Self.screen))
    }

    /// The JSON-RPC error reply for a received line the SDK would drop without answering (not JSON, or an `id`
    /// that is an object, array or boolean), else nil.
    public static func screen(_ line: Data) -> Data? {
        func reply(_ code: Int, _ message: String) -> Data {
            var text = #"{"jsonrpc":"2.0","id":null,"error":{"code":\#(code),"message":"#
            JSONValue.quote(message, into: &text)
            return Data((text + "}}").utf8)
        }
        guard let value = try? JSONParser.parse(String(decoding: line, as: UTF8.self)) else { return reply(-32700, "Parse error: the message is not JSON") }
        guard case let .object(members) = value else { return nil }   // batches: the SDK's to answer
        if let id = members.first(where: { $0.key == "id" })?.value {
            switch id {
            case .string, .integer, .number, .null: break
            default: return reply(-32600, "Invalid Request: \"id\" must be a string, a number or null")
            }
        }
        return nil
    }
}
