import Foundation

/// Ctrl-C in the chat: it stops the generation or the turn in progress and returns to the prompt; the session
/// goes on. At the prompt it only reminds how to leave.
final class ChatInterrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var source: DispatchSourceSignal?
    /// Whether a turn is running (Ctrl-C then cancels it).
    var busy: Bool {
        get { lock.withLock { _busy } }
        set { lock.withLock { _busy = newValue; if newValue { pending = false } } }
    }
    private var _busy = false

    var isSet: Bool { lock.withLock { pending } }

    static func install(interactive: Bool) -> ChatInterrupt {
        let flag = ChatInterrupt()
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [flag] in
            let busy = flag.lock.withLock { () -> Bool in
                if flag._busy { flag.pending = true }
                return flag._busy
            }
            if busy {
                FileHandle.standardError.write(Data("\n(interrupted: stopping this turn)\n".utf8))
            } else {
                FileHandle.standardError.write(Data("\n(type /quit or press Ctrl-D to leave)\n\(interactive ? "> " : "")".utf8))
            }
        }
        source.resume()
        flag.source = source
        return flag
    }
}
