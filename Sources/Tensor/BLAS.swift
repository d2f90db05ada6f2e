import COpenBLAS
import Foundation

/// The one gateway to OpenBLAS: SGEMM and SGEMV.
///
/// OpenBLAS chooses its kernels in a constructor that runs when the library is loaded, from the
/// `OPENBLAS_CORETYPE` environment variable or, failing that, its own CPU detection — which takes
/// the AVX-512 machines Loupe targets for a "Prescott" and runs 5× slower. So the library is not
/// linked: the first call to `shared()` sets `OPENBLAS_CORETYPE` from the CPU's features (unless
/// the user set it), then loads it with `dlopen`.
public final class BLAS: @unchecked Sendable {
    // Immutable after init: the C function pointers and facts about the loaded library.
    private typealias SGEMM = @convention(c) (
        CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint,
        Float, UnsafePointer<Float>?, blasint, UnsafePointer<Float>?, blasint,
        Float, UnsafeMutablePointer<Float>?, blasint) -> Void
    private typealias SGEMV = @convention(c) (
        CBLAS_ORDER, CBLAS_TRANSPOSE, blasint, blasint, Float, UnsafePointer<Float>?, blasint,
        UnsafePointer<Float>?, blasint, Float, UnsafeMutablePointer<Float>?, blasint) -> Void
    private typealias GetString = @convention(c) () -> UnsafeMutablePointer<CChar>?
    private typealias GetInt = @convention(c) () -> Int32
    private typealias SetInt = @convention(c) (Int32) -> Void

    private let sgemmFn: SGEMM
    private let sgemvFn: SGEMV
    private let setThreadsFn: SetInt?
    private let getThreadsFn: GetInt?

    /// The path or soname that was loaded.
    public let libraryName: String
    /// The kernel family OpenBLAS selected (e.g. "SkylakeX").
    public let coreName: String
    /// OpenBLAS's build configuration string.
    public let config: String
    /// Where the core type came from: "set by user", "chosen by Loupe", or "detected by OpenBLAS".
    public let coreTypeSource: String

    private static let loaded: Result<BLAS, TensorError> = Result { try BLAS.load() }
        .mapError { $0 as? TensorError ?? .blasUnavailable("\($0)") }

    /// The process-wide BLAS, loaded on first use.
    public static func shared() throws -> BLAS { try loaded.get() }

    /// Threads OpenBLAS uses now.
    public var threads: Int { Int(getThreadsFn?() ?? 1) }

    /// Sets the number of OpenBLAS threads.
    public func setThreads(_ count: Int) { setThreadsFn?(Int32(max(1, min(count, 256)))) }

    private init(handle: UnsafeMutableRawPointer, name: String, source: String) throws {
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            guard let raw = dlsym(handle, name) else { return nil }
            return unsafeBitCast(raw, to: type)
        }
        guard let gemm = symbol("cblas_sgemm", as: SGEMM.self),
              let gemv = symbol("cblas_sgemv", as: SGEMV.self)
        else { throw TensorError.blasUnavailable("\(name) has no cblas_sgemm/cblas_sgemv") }
        sgemmFn = gemm
        sgemvFn = gemv
        setThreadsFn = symbol("openblas_set_num_threads", as: SetInt.self)
        getThreadsFn = symbol("openblas_get_num_threads", as: GetInt.self)
        libraryName = name
        coreTypeSource = source
        let core = symbol("openblas_get_corename", as: GetString.self)?()
        coreName = core.map { String(cString: $0) } ?? "unknown"
        let cfg = symbol("openblas_get_config", as: GetString.self)?()
        config = cfg.map { String(cString: $0).trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    private static func load() throws -> BLAS {
        var source = "detected by OpenBLAS"
        if let existing = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !existing.isEmpty {
            source = "set by user (OPENBLAS_CORETYPE=\(existing))"
        } else if let core = CPUFeatures.current.openBLASCoreType {
            setenv("OPENBLAS_CORETYPE", core, 1)
            source = "chosen by Loupe from CPU features"
        }
        let candidates = ["libopenblas.so.0", "libopenblas.so", "libopenblasp-r0.3.21.so"]
        var errors: [String] = []
        for name in candidates {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) {
                let blas = try BLAS(handle: handle, name: name, source: source)
                let wanted = ProcessInfo.processInfo.environment["LOUPE_THREADS"].flatMap(Int.init)
                    ?? ProcessInfo.processInfo.activeProcessorCount
                blas.setThreads(wanted)
                return blas
            }
            if let message = dlerror() { errors.append(String(cString: message)) }
        }
        throw TensorError.blasUnavailable(errors.first ?? "libopenblas.so.0 not found")
    }

    /// `C = alpha · op(A) · op(B) + beta · C`, row-major.
    ///
    /// - A: `[M, K]` (or `[K, M]` when `transA`), leading dimension `lda`
    /// - B: `[K, N]` (or `[N, K]` when `transB`), leading dimension `ldb`
    /// - C: `[M, N]`, leading dimension `ldc`
    public func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size")
        precondition(lda >= max(1, transA ? m : k), "sgemm: lda \(lda) too small")
        precondition(ldb >= max(1, transB ? k : n), "sgemm: ldb \(ldb) too small")
        precondition(ldc >= max(1, n), "sgemm: ldc \(ldc) too small")
        precondition(max(m, n, k, lda, ldb, ldc) <= Int(Int32.max), "sgemm: size exceeds 32-bit BLAS")
        if m == 0 || n == 0 { return }
        sgemmFn(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                beta, c, blasint(ldc))
    }

    /// `y = alpha · op(A) · x + beta · y`, row-major; A is `[M, N]` with leading dimension `lda`.
    public func sgemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, incx: Int = 1, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int = 1
    ) {
        precondition(m >= 0 && n >= 0, "sgemv: negative size")
        precondition(lda >= max(1, n), "sgemv: lda \(lda) too small")
        precondition(incx != 0 && incy != 0, "sgemv: zero increment")
        precondition(max(m, n, lda) <= Int(Int32.max), "sgemv: size exceeds 32-bit BLAS")
        if m == 0 || n == 0 { return }
        sgemvFn(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), alpha, a,
                blasint(lda), x, blasint(incx), beta, y, blasint(incy))
    }
}
