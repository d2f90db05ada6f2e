import ArgumentParser
import Foundation
import Skills

/// `loupe index add DIR`: index a folder of images for `retrieve`.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "The image library that `retrieve` searches.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Index (or re-index) every PNG/JPEG under a folder: labels, features, OCR text, embeddings.",
            discussion: "Unchanged files are skipped without running any network; files gone from the folder are dropped. The index is LOUPE_LIBRARY or ~/.cache/loupe/library.sqlite.")

        @Argument(help: "Folder of images.")
        var directory: String

        @Flag(help: "No progress lines.")
        var quiet = false

        func run() throws {
            let index = try LibraryIndex(path: SkillEnvironment.libraryDatabase(), models: try SkillEnvironment.models())
            let started = Date()
            let report = try index.add(directory: URL(fileURLWithPath: directory)) { done, total, path in
                if !quiet { FileHandle.standardError.write(Data("[\(done)/\(total)] \(path)\n".utf8)) }
            }
            print("added \(report.added), updated \(report.updated), unchanged \(report.unchanged), removed \(report.removed), analysed \(report.analysed), failed \(report.failed.count) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; \(try index.count()) images in \(SkillEnvironment.libraryDatabase())")
            for f in report.failed { print("failed: \(f)") }
        }
    }
}
