import ArgumentParser

/// The `loupe` command line.
@main
struct Loupe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loupe",
        abstract: "A tool-using multimodal agent that runs offline on a CPU.",
        discussion: """
            Models live under ~/.cache/loupe/models (set LOUPE_MODELS to move them).
            OPENBLAS_CORETYPE is chosen from the CPU's features unless you set it; LOUPE_THREADS sets the threads of \
            BLAS and of Loupe's kernels (default: all cores). Prompt caches live under ~/.cache/loupe/prompt-cache \
            (LOUPE_CACHE moves them). LOUPE_PREFILL=f32 makes prompt processing use float32 SGEMM instead of bfloat16. \
            LOUPE_SKILLS names the skills folders (default: the repository's skills/); LOUPE_LIBRARY the retrieval index \
            (default: ~/.cache/loupe/library.sqlite); LOUPE_PLUGINS the registered MCP plugins (default: \
            ~/.config/loupe/plugins.json); LOUPE_SESSIONS the session store (default: ~/.cache/loupe/sessions.sqlite).
            """,
        subcommands: [ModelsCommand.self, DoctorCommand.self, ImageCommand.self, TokenizeCommand.self, GenerateCommand.self, BenchCommand.self,
                      SkillsCommand.self, SkillCommand.self, IndexCommand.self, ServeMCPCommand.self, ChatCommand.self, RunCommand.self, SessionsCommand.self, ReplayCommand.self, EvalCommand.self, CorpusCommand.self]
    )
}
