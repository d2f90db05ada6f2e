import ArgumentParser
import Foundation
import ModelStore
import Perception
import Tensor

/// `loupe doctor`: what this machine offers and whether Loupe is ready to run.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Show CPU features, the BLAS core in use, SGEMM speed and the state of every model file.")

    @Option(help: "Matrix size for the SGEMM measurement.")
    var size = 4096

    @Option(help: "Seconds to run the SGEMM measurement.")
    var seconds = 1.0

    @Flag(help: "Hash every installed model file (slower) instead of trusting earlier verification.")
    var verify = false

    func run() throws {
        guard size >= 16, size <= 8192 else { throw ValidationError("--size must be 16...8192") }
        guard seconds > 0, seconds <= 60 else { throw ValidationError("--seconds must be in (0, 60]") }
        let cpu = CPUFeatures.current
        print("CPU      \(cpu.modelName), \(ProcessInfo.processInfo.activeProcessorCount) cores available")
        print("SIMD     \(cpu.simdSummary.joined(separator: " "))")
        let blas = try BLAS.shared()
        print("BLAS     \(blas.libraryName): core \(blas.coreName) (\(blas.coreTypeSource)), \(blas.threads) threads")
        print("         \(blas.config)")
        if cpu.hasAVX512, !blas.coreName.lowercased().contains("skylakex"), !blas.coreName.lowercased().contains("cooperlake") {
            print("warning  this CPU has AVX-512 but OpenBLAS runs the \(blas.coreName) kernels; unset OPENBLAS_CORETYPE or set it to SkylakeX")
        }
        let gflops = try SGEMMBenchmark.run(size: size, seconds: seconds)
        print(String(format: "SGEMM    %.1f GFLOP/s (n=%d, %d threads)", gflops, size, blas.threads))

        let store = try ModelStore.standard()
        print("Models   \(store.root.path)")
        var problems = 0
        for model in store.catalog.models {
            for file in model.files {
                let state: String
                let quick = store.quickState(model, file)
                if verify, quick != .missing {
                    do {
                        try store.verify(model, file)
                        state = "verified (sha256 matches)"
                    } catch {
                        state = "CORRUPT: \(error)"
                        problems += 1
                    }
                } else {
                    switch quick {
                    case .missing:
                        state = model.set == "default" ? "missing (run `loupe models pull`)" : "not installed (optional)"
                        if model.set == "default" { problems += 1 }
                    case .wrongSize(let bytes):
                        state = "CORRUPT: \(bytes) bytes, expected \(file.bytes)"
                        problems += 1
                    case .verifiedEarlier: state = "verified"
                    case .unverified: state = "present, changed since last verified (run `loupe models verify`)"
                    }
                }
                print("  " + pad(model.name, 21) + pad(file.name, 40) + state)
            }
        }
        // WordNet's nouns: what detect and tag read words through.
        let wordNetFolder = ProcessInfo.processInfo.environment["LOUPE_WORDNET"] ?? WordNet.defaultDirectory
        do {
            let wordNet = try WordNet(directory: wordNetFolder)
            print("WordNet  \(wordNetFolder): " + (try wordNet.entry("dog") != nil ? "ready" : "no entry for \"dog\" (damaged?)"))
        } catch {
            print("WordNet  \(error)")
            problems += 1
        }
        print(problems == 0 ? "ready" : "\(problems) problem(s) found")
    }
}
