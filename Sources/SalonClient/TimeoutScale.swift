#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stretches every wait of the client (`Options.timeout` and each `expect(timeout:)`) by the
/// number in `SALON_TEST_TIMEOUT_SCALE` (default 1). A run under a sanitizer, several times
/// slower on a shared machine, sets it so that slowness is not taken for a missing answer; the
/// test server stretches its negotiation timeout by the same factor.
public enum TimeoutScale {
    public static let factor: Double = {
        guard let text = getenv("SALON_TEST_TIMEOUT_SCALE").map({ String(cString: $0) }),
              let value = Double(text), value.isFinite, value >= 1 else { return 1 }
        return min(value, 100)
    }()

    public static func scaled(_ timeout: Duration) -> Duration {
        factor == 1 ? timeout : timeout * factor
    }
}
