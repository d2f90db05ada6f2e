/// Decides when a long byte count is worth reporting: at most every 1/200 of the total, and at the end.
final class ProgressThrottle {
    private let step: UInt64
    private let total: UInt64
    private var next: UInt64 = 0

    init(total: UInt64) {
        self.total = total
        self.step = max(total / 200, 1 << 20)
    }

    func shouldReport(_ done: UInt64) -> Bool {
        guard done >= next || done == total else { return false }
        next = done + step
        return true
    }
}
