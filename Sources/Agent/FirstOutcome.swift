import Foundation

/// A value that the first of several racing tasks sets; later results are dropped. `value` waits for it.
final class FirstOutcome<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Value, any Error>?
    private var waiter: CheckedContinuation<Value, any Error>?

    /// Sets the outcome unless one is already set.
    func finish(_ outcome: Result<Value, any Error>) {
        let resume: CheckedContinuation<Value, any Error>? = lock.withLock {
            guard result == nil else { return nil }
            result = outcome
            defer { waiter = nil }
            return waiter
        }
        resume?.resume(with: outcome)
    }

    /// The first outcome, once there is one (one caller only).
    var value: Value {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<Value, any Error>? = lock.withLock {
                    if let result { return result }
                    waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}
