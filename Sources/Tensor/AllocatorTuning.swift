import CKernels

/// Process-wide malloc settings for the vision networks. glibc serves blocks above its mmap threshold
/// (128 KiB at first) with fresh mappings and unmaps them on free, so every large intermediate tensor
/// of a graph run would fault its pages in again — a third of the PP-OCR detector's time in a VM. Raising
/// the threshold to glibc's maximum (32 MiB) and the trim threshold keeps freed blocks in the heap for
/// the next run. Blocks above 32 MiB are still mapped and unmapped.
public enum AllocatorTuning {
    private static let applied: Bool = {
        lk_keep_large_blocks()
        return true
    }()

    /// Applies the settings once (later calls do nothing).
    public static func keepLargeBlocks() { _ = applied }
}
