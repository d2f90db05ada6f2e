import ArgumentParser
import Foundation
import SkillKit
import ToolSchema
import Vision

/// `loupe skill run NAME --image IMG --args '{…}'`: one skill call, printing the observation the planner
/// would see (or `--json`), writing the images and masks it made to `--out`.
struct SkillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skill", abstract: "Run one skill.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one skill on an image and print its observation.",
            discussion: "The image is the handle img0; --args is the skill's JSON arguments (\"image\" defaults to img0). Exits 1 when the skill reports an error.")

        @Argument(help: "Skill name (see `loupe skills list`).")
        var name: String

        @Option(help: "The image (PNG or JPEG), handle img0.")
        var image: String?

        @Option(name: .customLong("args"), help: "Arguments as a JSON object.")
        var arguments = "{}"

        @Option(help: "Folder to write the artifacts (images and masks) to.")
        var out: String?

        @Flag(help: "Print the observation as JSON.")
        var json = false

        @Option(help: "Largest image accepted, in pixels.")
        var maxPixels = 40_000_000

        func run() async throws {
            let parsed: JSONValue
            do { parsed = try JSONParser.parse(arguments) } catch { throw CLIError("--args is not JSON: \(error)") }
            guard case var .object(members) = parsed else { throw CLIError("--args must be a JSON object, e.g. '{\"query\": \"face\"}'") }
            let artifacts = Artifacts()
            if let image {
                artifacts.setUserImage(try ImageDecoder(maxPixels: maxPixels).decode(file: image))
                if !members.contains(where: { $0.key == "image" }) { members.insert(("image", .string("img0")), at: 0) }
            }
            let registry = try SkillEnvironment.registry()
            let started = Date()
            let observation = await registry.call(name, arguments: .object(members), artifacts: artifacts)
            let ms = Date().timeIntervalSince(started) * 1000
            var written: [String] = []
            if let out {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                for (handle, _) in observation.artifacts {
                    guard let item = artifacts.item(handle) else { continue }
                    let path = (out as NSString).appendingPathComponent("\(handle).png")
                    try ImageEncoder.write(item.picture, to: path)
                    written.append(path)
                }
            }
            if json {
                var o = observation.json
                if case var .object(m) = o {
                    m.append(("milliseconds", .number(ms.rounded())))
                    m.append(("written", .array(written.map { .string($0) })))
                    o = .object(m)
                }
                print(o)
            } else {
                print(observation.text())
                for p in written { print("wrote \(p)") }
                FileHandle.standardError.write(Data(String(format: "%.0f ms\n", ms).utf8))
            }
            if observation.error != nil { throw ExitCode(1) }
        }
    }
}
