import Dispatch
import Foundation

/// On Ctrl-C or SIGTERM, removes a folder of work in progress and exits with 130, so an interrupted
/// command leaves nothing half-written behind.
final class InterruptCleanup {
    private var sources: [DispatchSourceSignal] = []

    init(removing folder: URL, message: String) {
        for signal in [SIGINT, SIGTERM] {
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler {
                try? FileManager.default.removeItem(at: folder)
                FileHandle.standardError.write(Data("\n\(message)\n".utf8))
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default signal handling.
    func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
