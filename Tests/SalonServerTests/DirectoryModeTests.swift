import Foundation
import Logging
@testable import SalonServer
import SalonStore
import Testing

@Suite("Directories the server creates")
struct DirectoryModeTests {
    @Test("Data and certificate directories (and parents made on the way) are private, whatever the umask")
    func privateDirectories() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("salon-modes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let data = base + "/deployment/data", certs = base + "/tls/certs"
        // The most permissive umask, only around the creation (it is the whole process's).
        let saved = umask(0)
        let database: SalonDatabase
        do {
            defer { umask(saved) }
            database = try SalonDatabase(directory: data)
            _ = try CertificateStore.certificates(domain: "salon.test", directory: certs, logger: Logger(label: "test"))
        }
        try database.close()
        for path in [data, base + "/deployment", certs, base + "/tls"] {
            let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
            #expect(mode == 0o700, "\(path) has mode \(String(mode, radix: 8))")
        }
    }
}
