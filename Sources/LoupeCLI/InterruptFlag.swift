import Foundation

/// Ctrl-C handling for long runs: the first SIGINT sets a flag the work polls (so it can stop cleanly and
/// keep what it has); a second one exits with status 130.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var source: DispatchSourceSignal?

    var isSet: Bool { lock.withLock { count > 0 } }

    static func install() -> InterruptFlag {
        let flag = InterruptFlag()
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [flag] in
            let n = flag.lock.withLock { flag.count += 1; return flag.count }
            if n > 1 { exit(130) }
            FileHandle.standardError.write(Data("\ninterrupted: stopping (Ctrl-C again to quit now)\n".utf8))
        }
        source.resume()
        flag.source = source
        return flag
    }
}
