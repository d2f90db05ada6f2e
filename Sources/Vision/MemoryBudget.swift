import Foundation

/// How much memory one image may take while it is decoded: half of this machine's physical memory, so a small
/// file that declares huge dimensions (a 65-byte PNG of 100000×100000) is refused with an error before its
/// pixel buffer is allocated, whatever `--max-pixels` allows.
public enum MemoryBudget {
    /// Bytes one decode may allocate (`LOUPE_MEMORY_BUDGET_MB` overrides, for tests and small machines).
    public static var bytes: Int {
        if let mb = ProcessInfo.processInfo.environment["LOUPE_MEMORY_BUDGET_MB"].flatMap(Int.init), mb > 0 { return mb << 20 }
        return Int(min(UInt64(Int.max), ProcessInfo.processInfo.physicalMemory / 2))
    }

    /// Throws `VisionError.overBudget` when decoding a `width`×`height` image at `bytesPerPixel` (every buffer the
    /// decoder holds at once, per pixel) would pass the budget.
    public static func check(file: String, width: Int, height: Int, bytesPerPixel: Int) throws {
        let (pixels, o1) = width.multipliedReportingOverflow(by: height)
        let (needed, o2) = pixels.multipliedReportingOverflow(by: bytesPerPixel)
        let budget = bytes
        guard !o1, !o2, needed <= budget else {
            throw VisionError.overBudget(file: file, width: width, height: height, bytes: o1 || o2 ? Int.max : needed, budget: budget)
        }
    }
}
