import Foundation
import Logging
@testable import SalonServer
import SalonStore
import SalonTestSupport
import Testing

@Suite("Directories the server creates")
struct DirectoryModeTests {
    @Test("Data and certificate directories (and parents made on the way) are private, whatever the umask")
    func privateDirectories() async throws {
        let base = ScratchDirectory.path("salon-modes")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let data = base + "/deployment/data", certs = base + "/tls/certs"
        let processUmask = try ThreadUmask.reported(by: "self")
        // The most permissive umask, on a thread of its own: the process's stays as it is for
        // the suites running beside this one.
        let (threadUmask, processUmaskMeanwhile) = try await withThreadUmask(0) {
            let database = try SalonDatabase(directory: data)
            _ = try CertificateStore.certificates(domain: "salon.test", directory: certs, logger: Logger(label: "test"))
            try database.close()
            return (try ThreadUmask.reported(by: "thread-self"), try ThreadUmask.reported(by: "self"))
        }
        #expect(threadUmask == 0)
        #expect(processUmaskMeanwhile == processUmask, "the process's umask was left alone")
        for path in [data, base + "/deployment", certs, base + "/tls"] {
            let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
            #expect(mode == 0o700, "\(path) has mode \(String(mode, radix: 8))")
        }
    }
}
