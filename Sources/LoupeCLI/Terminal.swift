import Foundation

/// Output helpers: standard error, and whether it is an interactive terminal.
enum Terminal {
    /// True when standard error is a TTY (progress lines are redrawn in place there).
    static let stderrIsTTY = isatty(STDERR_FILENO) != 0

    /// Writes to standard error without a newline.
    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Human-readable byte count (decimal units, as model sizes are usually quoted).
    static func bytes(_ count: UInt64) -> String {
        let value = Double(count)
        if value >= 1e9 { return String(format: "%.2f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        if value >= 1e3 { return String(format: "%.1f kB", value / 1e3) }
        return "\(count) B"
    }
}
