import ArgumentParser
import Foundation
import Vision

/// `loupe image`: inspect and convert image files with Loupe's own decoders.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Inspect and convert images with Loupe's decoders.",
        subcommands: [Info.self, Convert.self])

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decode images and describe them.")

        @Argument(help: "PNG or JPEG files.")
        var files: [String]

        @Option(help: "Refuse images with more pixels than this.")
        var maxPixels = ImageDecoder.defaultMaxPixels

        func run() throws {
            let decoder = ImageDecoder(maxPixels: maxPixels)
            var failures = 0
            for file in files {
                do {
                    let bytes = try ImageDecoder.readFile(file)
                    var details: [String] = []
                    switch ImageFormat(sniffing: bytes) {
                    case .jpeg:
                        let head = try JPEGCodec.header(of: bytes, file: file)
                        details = ["JPEG", "\(head.components) component(s)", head.progressive ? "progressive" : "baseline",
                                   "stored \(head.width)×\(head.height)", "EXIF orientation \(head.orientation.rawValue)"]
                    case .png:
                        let head = try PNGCodec.header(of: bytes, file: file)
                        details = ["PNG", head.isColor ? "colour" : "gray", head.hasAlpha ? "with alpha" : "opaque"]
                    case nil: break
                    }
                    let image = try decoder.decode(bytes, name: file)
                    details.insert("\(image.width)×\(image.height) upright", at: min(1, details.count))
                    if image.alpha != nil { details.append("has transparency") }
                    print("\(file): \(details.joined(separator: ", "))")
                } catch {
                    failures += 1
                    print("\(file): error: \(error)")
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode an image (EXIF orientation applied), optionally shrink it, and write PNG or JPEG.")

        @Argument(help: "Input PNG or JPEG.")
        var input: String

        @Argument(help: "Output file (.png, .jpg or .jpeg).")
        var output: String

        @Option(help: "Shrink so the longer side is at most this many pixels.")
        var maxSide: Int?

        @Option(help: "JPEG quality, 1–100.")
        var quality = 92

        func run() throws {
            guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1...100") }
            if let maxSide, maxSide < 1 { throw ValidationError("--max-side must be positive") }
            var image = try ImageDecoder().decode(file: input)
            if let maxSide { image = try image.fitted(within: maxSide) }
            try ImageEncoder.write(image, to: output, jpegQuality: quality)
            print("wrote \(output) (\(image.width)×\(image.height))")
        }
    }
}
