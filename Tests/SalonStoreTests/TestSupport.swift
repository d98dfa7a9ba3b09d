import Foundation
import SalonSecurity
@testable import SalonStore

/// Runs `body` with a fresh directory path that does not exist yet, removing it afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("salon-store-tests-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// A SCRAM credential with recognisable bytes (the store does not care that they are not real keys).
func sampleCredential(_ algorithm: HashAlgorithm = .sha256, seed: UInt8 = 1, iterations: Int = 4096) -> SCRAMCredentials {
    SCRAMCredentials(algorithm: algorithm, salt: [seed, 2, 3, 4], iterations: iterations,
                     storedKey: [UInt8](repeating: seed, count: 32), serverKey: [UInt8](repeating: seed &+ 1, count: 32))
}

/// The kind of a StoreError thrown by `body`, or nil if it threw something else or nothing.
func storeErrorKind(_ body: () async throws -> Void) async -> StoreError.Kind? {
    do {
        try await body()
        return nil
    } catch let error as StoreError {
        return error.kind
    } catch {
        return nil
    }
}
