import ArgumentParser
import Foundation
import LLM
import Tensor

/// `loupe bench`: speed of Loupe's engines, measured on the real code paths.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure the speed of Loupe's engines.",
        subcommands: [BenchLLMCommand.self, BenchVisionCommand.self, BenchPerceptionCommand.self])
}

/// `loupe bench llm`: prompt processing and generation tokens/s, printed like llama-bench.
struct BenchLLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm",
        abstract: "Prompt-processing (ppN) and generation (tgN) tokens/s and peak memory, like llama-bench.")

    @Option(help: "Model name from the catalogue, or a path to a .gguf file.")
    var model = ModelResolver.defaultPlanner

    @Option(name: .customShort("p"), help: "Prompt tokens for the pp test (0 skips it).")
    var promptTokens = 512

    @Option(name: .customShort("n"), help: "Generated tokens for the tg test (0 skips it).")
    var generatedTokens = 128

    @Option(name: .customShort("r"), help: "Repetitions of each test.")
    var repetitions = 3

    @Option(name: .customShort("d"), help: "Tokens already in the cache before each test (untimed), as in an agent turn whose instructions are cached.")
    var depth = 0

    func run() throws {
        guard (0...8192).contains(promptTokens), (0...8192).contains(generatedTokens), (1...50).contains(repetitions),
              (0...8192).contains(depth) else {
            throw ValidationError("-p, -n and -d must be 0...8192, -r 1...50")
        }
        let path = try ModelResolver.path(for: model)
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let lm = try LanguageModel(path: path, name: model)
        let bench = LLMBenchmark(model: lm)
        let blas = try BLAS.shared()
        let threads = KernelPool.defaultThreads
        let prefill = lm.transformer.prefillPrecision == .bfloat16 && lm.transformer.usesBF16Prefill
            ? "BF16 GEMM" : "SGEMM (OpenBLAS \(blas.coreName))"
        let decode = KernelPool.usesSIMD ? "VNNI" : "scalar"
        let backend = "CPU: \(decode) decode, \(prefill) prefill"
        print("| model | size | params | backend | threads | test | t/s |")
        print("| --- | ---: | ---: | --- | ---: | ---: | ---: |")
        func row(_ r: LLMBenchmark.Result) {
            print(String(format: "| %@ | %.2f MiB | %.2f M | %@ | %d | %@ | %.2f ± %.2f |",
                         lm.name, Double(lm.weightBytes) / 1048576, Double(lm.parameterCount) / 1e6, backend,
                         threads, r.test, r.mean, r.standardDeviation))
            FileHandle.standardOutput.synchronizeFile()
        }
        if promptTokens > 0 { row(try bench.promptProcessing(promptTokens, depth: depth, repetitions: repetitions)) }
        if generatedTokens > 0 { row(try bench.generation(generatedTokens, depth: depth, repetitions: repetitions)) }
        if let peak = LLMBenchmark.peakResidentBytes() {
            print(String(format: "peak memory %.0f MB (model file %.0f MB; file + %.0f MB)", Double(peak) / 1e6,
                         Double(fileBytes) / 1e6, Double(peak - fileBytes) / 1e6))
        }
    }
}
