import COpenSSL

/// Makes a self-signed EC P-256 certificate for a domain and its subdomains (SAN DNS:domain, DNS:*.domain),
/// valid for about ten years, and writes it and its key as PEM files (the key with mode 0600).
public enum SelfSignedCertificate {
    /// Validity in days.
    public static let validityDays = 3650

    /// Generates and writes the certificate and key, creating parent directories; overwrites existing files.
    public static func generate(domain: String, certificatePath: String, privateKeyPath: String) throws(TLSError) {
        guard isValidDomain(domain) else { throw TLSError(message: "not a valid domain for a certificate: \(domain)") }
        ERR_clear_error()
        let key = try makeKey()
        defer { EVP_PKEY_free(key) }
        let certificate = try makeCertificate(domain: domain, key: key)
        defer { X509_free(certificate) }

        let certificatePEM = try pem { bio in PEM_write_bio_X509(bio, certificate) }
        let keyPEM = try pem { bio in PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) }
        try FileWriter.write(keyPEM, to: privateKeyPath, mode: 0o600)
        try FileWriter.write(certificatePEM, to: certificatePath, mode: 0o644)
    }

    /// Letters, digits, "-" and "." in labels of 1...63 bytes; nothing that could smuggle extra SAN entries.
    static func isValidDomain(_ domain: String) -> Bool {
        let bytes = Array(domain.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.allSatisfy { byte in
                SCRAMSyntax.isAlpha(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            }
        }
    }

    private static func makeKey() throws(TLSError) -> OpaquePointer {
        guard let keyContext = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw OpenSSLErrors.error("cannot create key generation context")
        }
        defer { EVP_PKEY_CTX_free(keyContext) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(keyContext) == 1,
              EVP_PKEY_CTX_set_group_name(keyContext, "P-256") == 1,
              EVP_PKEY_generate(keyContext, &key) == 1,
              let key
        else { throw OpenSSLErrors.error("cannot generate EC P-256 key") }
        return key
    }

    private static func makeCertificate(domain: String, key: OpaquePointer) throws(TLSError) -> OpaquePointer {
        guard let certificate = X509_new() else { throw OpenSSLErrors.error("X509_new failed") }
        do {
            try fill(certificate, domain: domain, key: key)
            return certificate
        } catch {
            X509_free(certificate)
            throw error
        }
    }

    private static func fill(_ certificate: OpaquePointer, domain: String, key: OpaquePointer) throws(TLSError) {
        guard X509_set_version(certificate, 2) == 1 else { throw OpenSSLErrors.error("cannot set version") }

        // A random positive 127-bit serial number.
        guard let serial = BN_new() else { throw OpenSSLErrors.error("BN_new failed") }
        defer { BN_free(serial) }
        guard BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1,
              BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(certificate)) != nil
        else { throw OpenSSLErrors.error("cannot set serial number") }

        // Backdated an hour for clock skew.
        guard X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nil,
              X509_gmtime_adj(X509_getm_notAfter(certificate), validityDays * 86400) != nil
        else { throw OpenSSLErrors.error("cannot set validity") }

        guard let name = X509_get_subject_name(certificate) else { throw OpenSSLErrors.error("no subject name") }
        // X.509 limits the common name to 64 characters; the SAN carries the name regardless.
        let commonName = domain.utf8.count <= 64 ? domain : "Salon"
        guard X509_NAME_add_entry_by_txt(name, "CN", salon_MBSTRING_ASC(), commonName, -1, -1, 0) == 1,
              X509_set_issuer_name(certificate, name) == 1,
              X509_set_pubkey(certificate, key) == 1
        else { throw OpenSSLErrors.error("cannot set names or public key") }

        try addExtension(certificate, NID_basic_constraints, "critical,CA:FALSE")
        try addExtension(certificate, NID_ext_key_usage, "serverAuth,clientAuth")
        try addExtension(certificate, NID_subject_key_identifier, "hash")
        try addExtension(certificate, NID_subject_alt_name, "DNS:\(domain),DNS:*.\(domain)")

        guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw OpenSSLErrors.error("cannot sign certificate") }
    }

    private static func addExtension(_ certificate: OpaquePointer, _ nid: Int32, _ value: String) throws(TLSError) {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, certificate, certificate, nil, nil, 0)
        guard let extensionValue = X509V3_EXT_nconf_nid(nil, &context, nid, value) else {
            throw OpenSSLErrors.error("cannot make extension \(value)")
        }
        defer { X509_EXTENSION_free(extensionValue) }
        guard X509_add_ext(certificate, extensionValue, -1) == 1 else { throw OpenSSLErrors.error("cannot add extension \(value)") }
    }

    /// Runs a PEM writer into a memory BIO and returns the text.
    private static func pem(_ writer: (OpaquePointer) -> Int32) throws(TLSError) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSLErrors.error("BIO_new failed") }
        defer { BIO_free(bio) }
        guard writer(bio) == 1 else { throw OpenSSLErrors.error("cannot write PEM") }
        var data: UnsafeMutablePointer<CChar>?
        let length = salon_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else { throw OpenSSLErrors.error("empty PEM output") }
        return Array(UnsafeRawBufferPointer(start: data, count: length))
    }
}
