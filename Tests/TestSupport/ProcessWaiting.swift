import Foundation

extension Process {
    /// Waits for the process to end without holding a thread: `waitUntilExit()` blocks a thread of Swift's
    /// cooperative pool (two on this machine), which starves every other test's timers and pipes meanwhile.
    public func exited() async {
        while isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
