// loupe-palette: an example Loupe plugin, a small MCP server over stdio with two tools.
//   palette    the dominant colours of an image (hex, a colour name, share of the picture)
//   posterize  the image with each channel reduced to a few levels, returned as a new image
// Image arguments carry "contentMediaType": "image/png": Loupe's planner passes a handle (img0, …) and Loupe
// hands the plugin the path of a PNG file; image content in the result becomes a new handle.
import Foundation
import MCP
import Vision

let imageProperty: Value = [
    "type": "string", "contentMediaType": "image/png", "description": "path to a PNG or JPEG file",
]

let tools = [
    Tool(name: "palette",
         description: "The dominant colours of an image: hex code, colour name and share of the picture, largest first.",
         inputSchema: [
             "type": "object",
             "properties": [
                 "image": imageProperty,
                 "colors": ["type": "integer", "minimum": 1, "maximum": 12, "description": "how many colours (default 5)"],
             ],
             "required": ["image"],
             "additionalProperties": false,
         ]),
    Tool(name: "posterize",
         description: "Reduce each colour channel of an image to a few levels (a poster look); returns a new image.",
         inputSchema: [
             "type": "object",
             "properties": [
                 "image": imageProperty,
                 "levels": ["type": "integer", "minimum": 2, "maximum": 16, "description": "levels per channel (default 4)"],
             ],
             "required": ["image"],
             "additionalProperties": false,
         ]),
]

/// A tool failure the client should see as `isError`, with a message.
struct ToolFailure: Error { let message: String }

func integer(_ args: [String: Value], _ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
    guard let raw = args[key] else { return value }
    guard let n = raw.intValue ?? raw.doubleValue.flatMap({ $0 == $0.rounded() ? Int($0) : nil }), range.contains(n) else {
        throw ToolFailure(message: "\"\(key)\" must be an integer in \(range.lowerBound)…\(range.upperBound), got \(raw)")
    }
    return n
}

func loadImage(_ args: [String: Value]) throws -> RGBImage {
    guard let path = args["image"]?.stringValue else { throw ToolFailure(message: "\"image\" (a file path) is required") }
    do { return try ImageDecoder().decode(file: path) } catch { throw ToolFailure(message: "cannot read the image: \(error)") }
}

func run(_ name: String, _ args: [String: Value]) throws -> [Tool.Content] {
    switch name {
    case "palette":
        let k = try integer(args, "colors", default: 5, in: 1...12)
        let image = try loadImage(args)
        let palette = Palette(image: image, count: k)
        let lines = palette.colours.map { "\($0.hex) \($0.name) \(Int(($0.share * 100).rounded()))%" }
        return [.text(text: lines.joined(separator: "\n"), annotations: nil, _meta: nil)]
    case "posterize":
        let levels = try integer(args, "levels", default: 4, in: 2...16)
        var image = try loadImage(args)
        let step = 255.0 / Double(levels - 1)
        let table = (0..<256).map { UInt8((Double($0) / step).rounded() * step) }
        for i in image.pixels.indices { image.pixels[i] = table[Int(image.pixels[i])] }
        let png = try PNGCodec.encode(image)
        return [
            .text(text: "posterized to \(levels) levels per channel", annotations: nil, _meta: nil),
            .image(data: Data(png).base64EncodedString(), mimeType: "image/png", annotations: nil, _meta: nil),
        ]
    default:
        throw ToolFailure(message: "unknown tool \"\(name)\"; this plugin has palette and posterize")
    }
}

let server = Server(name: "loupe-palette", version: "0.1", capabilities: .init(tools: .init(listChanged: false)))
await server.withMethodHandler(ListTools.self) { _ in .init(tools: tools) }
await server.withMethodHandler(CallTool.self) { params in
    do {
        return .init(content: try run(params.name, params.arguments ?? [:]))
    } catch let failure as ToolFailure {
        return .init(content: [.text(text: failure.message, annotations: nil, _meta: nil)], isError: true)
    }
}
try await server.start(transport: StdioTransport())
await server.waitUntilCompleted()
