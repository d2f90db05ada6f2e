// swift-tools-version: 6.0
// Loupe: a tool-using multimodal agent that runs offline on a CPU.
// Module layout follows docs/architecture.md; dependencies point down only.
import PackageDescription

let package = Package(
    name: "Loupe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loupe", targets: ["LoupeCLI"]),
        .executable(name: "loupe-palette", targets: ["PalettePlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-system", from: "1.0.0"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev libpng-dev libjpeg-dev libsqlite3-dev zlib1g-dev).
        // OpenBLAS is deliberately not linked: Tensor loads it with dlopen after setting
        // OPENBLAS_CORETYPE, because the library picks its kernels in a load-time constructor.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib"),
        // libjpeg reports errors by longjmp, which Swift cannot catch: a small C shim does.
        .target(name: "CJPEG", path: "Sources/CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),

        // Hot CPU kernels (quantized dot products, dequantisation, thread pool, attention): C with
        // AVX-512 intrinsics chosen at run time, scalar code otherwise.
        .target(name: "CKernels", path: "Sources/CKernels", cSettings: [.unsafeFlags(["-O3"])]),

        .target(name: "Tensor", dependencies: ["COpenBLAS", "CKernels"]),
        .target(name: "ModelFormats", dependencies: ["CZlib", "Tensor"]),
        .target(name: "ModelStore", dependencies: [
            "ModelFormats",
            .product(name: "Crypto", package: "swift-crypto"),
        ], resources: [.copy("catalog.json")]),
        .target(name: "Tokenizers", dependencies: ["ModelFormats", "Tensor"]),
        .target(name: "ToolSchema"),
        .target(name: "LLM", dependencies: [
            "Tensor", "ModelFormats", "Tokenizers", "ToolSchema", "CKernels",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Vision", dependencies: ["Tensor", "CPNG", "CJPEG"]),
        .target(name: "GraphRuntime", dependencies: ["Tensor", "ModelFormats"]),
        .target(name: "Perception", dependencies: ["Tensor", "ModelFormats", "Tokenizers", "GraphRuntime", "Vision"]),
        .target(name: "Database", dependencies: ["CSQLite"]),
        .target(name: "SkillKit", dependencies: ["ToolSchema", "Vision"]),
        .target(name: "Skills", dependencies: [
            "SkillKit", "ToolSchema", "Vision", "Perception", "GraphRuntime", "Database",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The MCP bridge: plugins as skills (client) and Loupe's skills for other agents (server). Named MCPBridge
        // because the SDK's module is MCP.
        .target(name: "MCPBridge", dependencies: [
            "SkillKit", "ToolSchema", "Vision",
            .product(name: "MCP", package: "swift-sdk"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        // The loop, the Planner protocol and the LLM planner; knows skills only through SkillKit.
        .target(name: "Agent", dependencies: ["SkillKit", "ToolSchema", "Vision", "LLM", "Tensor"]),
        // The session store (SQLite), the recorder, replay and the HTML report.
        .target(name: "Sessions", dependencies: [
            "Agent", "SkillKit", "ToolSchema", "Vision", "Database", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .executableTarget(name: "LoupeCLI", dependencies: [
            "Tensor", "ModelFormats", "ModelStore", "Vision", "Database", "Tokenizers", "ToolSchema", "LLM",
            "GraphRuntime", "Perception", "SkillKit", "Skills", "MCPBridge", "Agent", "Sessions",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The example MCP plugin (examples/palette-plugin, docs/adding-a-skill.md): its own program.
        .executableTarget(name: "PalettePlugin", dependencies: [
            "Vision", .product(name: "MCP", package: "swift-sdk"),
        ], path: "examples/palette-plugin/Sources"),

        // Helpers shared by the test targets (never linked into loupe).
        .target(name: "TestSupport", dependencies: ["ModelStore", "Tensor"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "CKernels", "TestSupport"]),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "Tensor", "TestSupport"]),
        .testTarget(name: "ModelStoreTests", dependencies: ["ModelStore", "ModelFormats", "TestSupport"]),
        .testTarget(name: "VisionTests", dependencies: [
            "Vision", "Tensor", "CJPEG", "CZlib", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "DatabaseTests", dependencies: ["Database"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "ModelFormats", "TestSupport"]),
        .testTarget(name: "LLMTests", dependencies: ["LLM", "Tokenizers", "ToolSchema", "ModelFormats", "Tensor", "TestSupport"]),
        .testTarget(name: "ToolSchemaTests", dependencies: ["ToolSchema", "TestSupport"]),
        .testTarget(name: "PerceptionTests", dependencies: ["Perception", "Tokenizers", "Vision", "ModelStore", "TestSupport"]),
        .testTarget(name: "SkillKitTests", dependencies: ["SkillKit", "ToolSchema", "Vision", "TestSupport"]),
        .testTarget(name: "SkillsTests", dependencies: ["Skills", "SkillKit", "ToolSchema", "Vision", "Perception", "ModelStore", "Database", "TestSupport"]),
        .testTarget(name: "MCPBridgeTests", dependencies: [
            "MCPBridge", "SkillKit", "ToolSchema", "Vision", "TestSupport",
            .product(name: "MCP", package: "swift-sdk"), .product(name: "SystemPackage", package: "swift-system"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "SkillKit", "ToolSchema", "Tensor", "Vision", "LLM", "Perception", "ModelStore", "TestSupport"]),
        .testTarget(name: "SessionsTests", dependencies: ["Sessions", "Agent", "SkillKit", "ToolSchema", "Vision", "Database", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "GraphRuntimeTests", dependencies: ["GraphRuntime", "ModelFormats", "Vision", "TestSupport"]),
    ]
)
