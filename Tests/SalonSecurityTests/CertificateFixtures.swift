import Foundation
import SalonSecurity

/// A temporary directory with self-signed certificates, removed by `remove()`.
struct CertificateFixtures {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("salon-tls-\(UUID().uuidString)")
    }

    /// Generates (or reuses) a certificate for `domain` under `directory/domain/`.
    func certificate(for domain: String) throws -> TLSCertificate {
        let certificate = TLSCertificate(domain: domain,
                                         certificateChainPath: directory.appendingPathComponent("\(domain)/cert.pem").path,
                                         privateKeyPath: directory.appendingPathComponent("\(domain)/key.pem").path)
        if !FileManager.default.fileExists(atPath: certificate.certificateChainPath) {
            try SelfSignedCertificate.generate(domain: domain, certificatePath: certificate.certificateChainPath,
                                               privateKeyPath: certificate.privateKeyPath)
        }
        return certificate
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
