import Agent
import Foundation

/// Shows a planner step's text as it streams, unless the step turns out to be a call (its text starts with
/// `{` or `<tool_call>`): those are shown as `→ skill {…}` lines instead. Nothing is shown before the first letter
/// or digit.
final class ChatStream: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    private var mode: Mode = .undecided
    private enum Mode { case undecided, showing, hiding }
    /// What was shown of the current step.
    private(set) var shown = ""
    /// What was shown of the step that ended last.
    var lastStep: String {
        get { lock.withLock { _lastStep } }
        set { lock.withLock { _lastStep = newValue } }
    }
    private var _lastStep = ""

    /// New text from the planner.
    func text(_ piece: String) {
        lock.withLock {
            switch mode {
            case .hiding: return
            case .showing: write(piece)
            case .undecided:
                buffer += piece
                let t = buffer.drop { $0 == " " || $0 == "\n" }
                guard !t.isEmpty else { return }
                if t.hasPrefix("{") || t.hasPrefix("<tool_call>") || "<tool_call>".hasPrefix(t) && t.count < 11 {
                    if t.hasPrefix("{") || t.hasPrefix("<tool_call>") { mode = .hiding }
                    return
                }
                // Punctuation alone ("," or ">" from a small model about to give up) is not shown yet.
                guard t.contains(where: { $0.isLetter || $0.isNumber }) else { return }
                mode = .showing
                write(String(t))
            }
        }
    }

    /// The step ended: returns what was shown (and starts afresh for the next step).
    func endStep() -> String {
        lock.withLock {
            if mode == .showing { FileHandle.standardOutput.write(Data("\n".utf8)) }
            defer { buffer = ""; shown = ""; mode = .undecided }
            return shown
        }
    }

    private func write(_ s: String) {
        shown += s
        FileHandle.standardOutput.write(Data(s.utf8))
    }
}
