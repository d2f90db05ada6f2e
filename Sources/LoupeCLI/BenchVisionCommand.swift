import ArgumentParser
import Foundation
import ModelStore
import Perception
import Tensor
import Vision

/// `loupe bench vision`: milliseconds per perception network on one image, and the whole OCR pipeline.
struct BenchVisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vision", abstract: "Milliseconds per perception network on an image (median of -r runs).")

    @Option(help: "Image to run the networks on.")
    var image = "examples/typewriter.png"

    @Option(name: .customShort("r"), help: "Repetitions (the median is printed).")
    var repetitions = 3

    @Option(help: "Networks to measure, comma-separated: det, rec, cls, ocr, blazeface, selfie, palm, efficientnet, minilm (default: all).")
    var only: String?

    @Flag(help: "Also print where the PP-OCR detector and recogniser spend their time, per operator kind.")
    var profile = false

    func run() throws {
        guard (1...50).contains(repetitions) else { throw ValidationError("-r must be 1...50") }
        let picture = try ImageDecoder().decode(file: image)
        let store = try ModelStore.standard()
        func path(_ model: String) throws -> String { try store.installedFile(model: model).path }
        func time(_ body: () throws -> Void) rethrows -> Double {
            if ProcessInfo.processInfo.environment["LOUPE_BENCH_TRACE"] != nil { print("runs:", terminator: "") }
            try body()  // warm-up
            var runs: [Double] = []
            for _ in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                runs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                if ProcessInfo.processInfo.environment["LOUPE_BENCH_TRACE"] != nil { print(String(format: " %.1f", runs.last!), terminator: "") }
            }
            if ProcessInfo.processInfo.environment["LOUPE_BENCH_TRACE"] != nil { print("") }
            let sorted = runs.sorted()
            fastest = sorted[0]
            return sorted[runs.count / 2]
        }
        var fastest = 0.0
        print("image \(image): \(picture.width)×\(picture.height); \(KernelPool.defaultThreads) threads, median of \(repetitions)")
        print("| network | input | ms (median) | fastest |")
        print("| --- | --- | ---: | ---: |")
        func row(_ name: String, _ input: String, _ ms: Double) { print(String(format: "| %@ | %@ | %.1f | %.1f |", name, input, ms, fastest)) }

        let known = ["det", "rec", "cls", "ocr", "blazeface", "selfie", "palm", "efficientnet", "minilm"]
        let chosen = Set((only ?? known.joined(separator: ",")).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if let wrong = chosen.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown network \"\(wrong)\" in --only; choose from \(known.joined(separator: ", "))")
        }
        let ocr = try PPOCRNetworks(detector: path("ppocr-det"), recognizer: path("ppocr-rec"), classifier: path("ppocr-cls"))
        let line = try picture.cropped(x: 0, y: 0, width: min(picture.width, 320), height: min(picture.height, 48))
        if chosen.contains("det") {
            let det = PPOCRNetworks.detectionSize(width: picture.width, height: picture.height)
            row("ppocr-det", "1×3×\(det.height)×\(det.width)", try time { _ = try ocr.probabilityMap(picture) })
            // The reference's 1-megapixel shape: the image scaled to 1280×960 (kept at that size by the detector).
            let mega = try picture.resized(width: 1280, height: 960, filter: .bilinear)
            row("ppocr-det", "1×3×960×1280 (image scaled)", try time { _ = try ocr.probabilityMap(mega) })
        }
        if chosen.contains("rec") {
            row("ppocr-rec", "1×3×48×320", try time { _ = try ocr.recognize(line) })
            let six = [RGBImage](repeating: try line.resized(width: 320, height: 48, filter: .bilinear), count: 6)
            row("ppocr-rec", "6×3×48×320", try time { _ = try ocr.recognize(batch: six) })
        }
        if chosen.contains("cls") {
            row("ppocr-cls", "1×3×48×192", try time { _ = try ocr.upsideDownProbability(line) })
            let six = [RGBImage](repeating: line, count: 6)
            row("ppocr-cls", "6×3×48×192", try time { _ = try ocr.upsideDownProbabilities(six) })
        }
        if profile {
            _ = try ocr.profileDetection(picture)  // warm-up
            _ = try ocr.profileRecognition(line, copies: 6)
            for (name, profile) in [("ppocr-det", try ocr.profileDetection(picture)), ("ppocr-rec", try ocr.profileRecognition(line)),
                                    ("ppocr-rec, batch of 6", try ocr.profileRecognition(line, copies: 6))] {
                print("\n\(name), one run (\(profile.nodes.count) nodes after fusion), by operator kind:")
                print("| operator | nodes | ms | GFLOP | GFLOP/s |")
                print("| --- | ---: | ---: | ---: | ---: |")
                for r in profile.rows {
                    let rate = r.gflops > 0 ? String(format: "%.1f", r.gflops / (r.milliseconds / 1000)) : ""
                    print(String(format: "| %@ | %d | %.2f | %@ | %@ |", r.kind, r.count, r.milliseconds, r.gflops > 0 ? String(format: "%.3f", r.gflops) : "", rate))
                }
                print(String(format: "| total | | %.1f |", profile.rows.reduce(0) { $0 + $1.milliseconds }))
                print("\nslowest nodes:")
                for n in profile.nodes.sorted(by: { $0.nanoseconds > $1.nanoseconds }).prefix(12) {
                    let rate = n.flops > 0 ? String(format: ", %.1f GFLOP/s", n.flops / Double(n.nanoseconds)) : ""
                    print(String(format: "  %7.2f ms  %@  %@ → %@%@", Double(n.nanoseconds) / 1e6, n.name, n.kind, "\(n.shape)", rate))
                }
            }
            print("")
        }
        if chosen.contains("ocr") {
            let reader = TextReader(networks: ocr)
            var lineCount = 0
            let whole = try time { lineCount = try reader.read(picture).count }
            row("OCR pipeline (det, boxes, cls, rec)", "whole image, \(lineCount) lines", whole)
        }
        if chosen.contains("blazeface") {
            let face = try BlazeFace(path: path("blazeface"))
            row("blazeface (with pre/post)", "1×128×128×3", try time { _ = try face.detect(picture) })
        }
        if chosen.contains("selfie") {
            let selfie = try SelfieSegmenter(path: path("selfie-segmentation"))
            row("selfie segmentation (mask at image size)", "1×256×256×3", try time { _ = try selfie.mask(picture) })
        }
        if chosen.contains("palm") {
            let palms = try PalmDetector(path: path("palm-detection"))
            row("palm detection (with pre/post)", "1×192×192×3", try time { _ = try palms.detect(picture) })
        }
        if chosen.contains("efficientnet") {
            let net = try EfficientNetLite0(path: path("efficientnet-lite0"))
            let x = [Float](repeating: 0, count: 3 * 224 * 224)
            row("efficientnet-lite0", "1×3×224×224", try time { _ = try net.forward(x) })
        }
        if chosen.contains("minilm") {
            let minilm = try MiniLM(directory: URL(fileURLWithPath: path("minilm-l6")).deletingLastPathComponent())
            row("minilm-l6", "one sentence", try time { _ = try minilm.embed("A photo of a cat sitting on a red sofa.") })
        }
    }
}
