import Foundation
import Testing
import SalonSecurity

@Suite struct SelfSignedCertificateTests {
    @Test func writesPEMFilesWithAPrivateKeyMode() throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let certificate = try fixtures.certificate(for: "example.test")

        let certificateText = try String(contentsOfFile: certificate.certificateChainPath, encoding: .utf8)
        let keyText = try String(contentsOfFile: certificate.privateKeyPath, encoding: .utf8)
        #expect(certificateText.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(keyText.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let attributes = try FileManager.default.attributesOfItem(atPath: certificate.privateKeyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // Usable as a server certificate.
        _ = try TLSContext.server(certificates: [certificate], alpn: [])
    }

    @Test func overwritesAndCreatesNestedDirectories() throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let path = fixtures.directory.appendingPathComponent("a/b/c").path
        try SelfSignedCertificate.generate(domain: "x.test", certificatePath: path + "/c.pem", privateKeyPath: path + "/k.pem")
        let first = try Data(contentsOf: URL(fileURLWithPath: path + "/c.pem"))
        try SelfSignedCertificate.generate(domain: "x.test", certificatePath: path + "/c.pem", privateKeyPath: path + "/k.pem")
        let second = try Data(contentsOf: URL(fileURLWithPath: path + "/c.pem"))
        #expect(first != second)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test(arguments: ["", "a,DNS:evil.test", "a b", "-.", "a..b", "é.test", String(repeating: "a", count: 64) + ".test"])
    func rejectsInvalidDomains(domain: String) throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        #expect(throws: TLSError.self) {
            try SelfSignedCertificate.generate(domain: domain, certificatePath: fixtures.directory.path + "/c.pem",
                                               privateKeyPath: fixtures.directory.path + "/k.pem")
        }
    }

    @Test func contextErrorsCarryOpenSSLMessages() throws {
        let fixtures = try CertificateFixtures()
        defer { fixtures.remove() }
        let a = try fixtures.certificate(for: "a.test")
        let b = try fixtures.certificate(for: "b.test")
        let mismatched = TLSCertificate(domain: "a.test", certificateChainPath: a.certificateChainPath, privateKeyPath: b.privateKeyPath)
        let error = try #require(throws: TLSError.self) { try TLSContext.server(certificates: [mismatched], alpn: []) }
        #expect(error.message.contains(b.privateKeyPath))
        #expect(error.message.contains("error:"))

        let missing = TLSCertificate(domain: "a.test", certificateChainPath: "/nonexistent/cert.pem", privateKeyPath: a.privateKeyPath)
        #expect(throws: TLSError.self) { try TLSContext.server(certificates: [missing], alpn: []) }
        #expect(throws: TLSError.self) { try TLSContext.server(certificates: [], alpn: []) }
        #expect(throws: TLSError.self) { try TLSContext.server(certificates: [a], alpn: [""]) }
        #expect(throws: TLSError.self) { try TLSContext.client(alpn: [], trustedCertificatePath: "/nonexistent") }
    }
}
