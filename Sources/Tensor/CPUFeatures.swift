import Foundation

/// The instruction-set features of the CPU this process runs on, read from `/proc/cpuinfo`.
public struct CPUFeatures: Sendable, Equatable {
    /// The CPU's model name, e.g. "AMD EPYC".
    public let modelName: String
    /// Lower-case feature flags as the kernel reports them (`avx2`, `avx512f`, `fma`, …).
    public let flags: Set<String>

    /// Features of the running machine (empty when `/proc/cpuinfo` cannot be read).
    public static let current: CPUFeatures = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return CPUFeatures(modelName: "unknown", flags: [])
        }
        return CPUFeatures(cpuinfo: text)
    }()

    /// Parses the first processor's entry of a `/proc/cpuinfo` text.
    public init(cpuinfo: String) {
        var model = "unknown"
        var flags = Set<String>()
        for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty, !flags.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if key == "model name" { model = value }
            if key == "flags" { flags = Set(value.split(separator: " ").map(String.init)) }
        }
        self.init(modelName: model, flags: flags)
    }

    public init(modelName: String, flags: Set<String>) {
        self.modelName = modelName
        self.flags = flags
    }

    /// True when the AVX-512 foundation plus the BW/DQ/VL subsets are present.
    public var hasAVX512: Bool { ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) }
    /// True when AVX2 and FMA are present.
    public var hasAVX2: Bool { flags.contains("avx2") && flags.contains("fma") }

    /// The OpenBLAS core type that fits these features: AVX-512 → SkylakeX, AVX2 → Haswell,
    /// AVX → Sandybridge; nil leaves the choice to OpenBLAS.
    public var openBLASCoreType: String? {
        if hasAVX512 { return "SkylakeX" }
        if hasAVX2 { return "Haswell" }
        if flags.contains("avx") { return "Sandybridge" }
        return nil
    }

    /// The notable SIMD features present, in a fixed order, for display.
    public var simdSummary: [String] {
        ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512dq", "avx512vl",
         "avx512_vnni", "avx512_bf16", "avx_vnni"].filter(flags.contains)
    }
}
