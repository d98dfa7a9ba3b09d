import Foundation
import Logging
import SalonSecurity

/// Finds the certificate for the served domain in the certificate directory
/// (`<domain>.crt` + `<domain>.key`), generating a self-signed one (domain and subdomains)
/// on first start.
enum CertificateStore {
    static func certificates(domain: String, directory: String, logger: Logger) throws -> [TLSCertificate] {
        let certificate = (directory as NSString).appendingPathComponent("\(domain).crt")
        let key = (directory as NSString).appendingPathComponent("\(domain).key")
        let files = FileManager.default
        if !files.fileExists(atPath: certificate) || !files.fileExists(atPath: key) {
            try SelfSignedCertificate.generate(domain: domain, certificatePath: certificate, privateKeyPath: key)
            logger.notice("generated a self-signed certificate", metadata: ["domain": "\(domain)", "path": "\(certificate)"])
        }
        return [TLSCertificate(domain: domain, certificateChainPath: certificate, privateKeyPath: key)]
    }
}
