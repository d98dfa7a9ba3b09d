@_spi(Testing) import SalonSecurity

/// Server-side SASL. The first byte picks the mechanism and its options; for SCRAM the rest
/// is client-first, a NUL, then client-final. The server nonce is fixed so that the seed
/// corpus can hold complete, valid exchanges for the fuzzer to mutate. Only the account with
/// known credentials can ever authenticate, and the server's final message is well formed.
enum SASLFuzz {
    static let username = "user"
    static let password = "pencil"
    static let serverNonce = "3rfcNHYJY1ZVvWVs7j"
    static let salt: [UInt8] = Array("salon-fuzz-salt!".utf8)
    static let bindingData: [UInt8] = Array(repeating: 0xA5, count: 32)
    static let credentials: [HashAlgorithm: SCRAMCredentials] = Dictionary(uniqueKeysWithValues: HashAlgorithm.allCases.map {
        ($0, SCRAMCredentials.derive(password: password, algorithm: $0, iterations: 1, salt: salt))
    })

    static func run(_ data: [UInt8]) {
        var input = FuzzBytes(data)
        let mode = input.byte()
        if mode & 0x03 == 0 {
            plain(input.rest)
        } else {
            scram(input.rest, mode: mode)
        }
    }

    static func plain(_ message: [UInt8]) {
        guard let parsed = try? SASLPlain.parse(message) else { return }
        fuzzCheck(!parsed.username.isEmpty && !parsed.password.isEmpty && parsed.authzid != "")
        let again = SASLPlain.message(authzid: parsed.authzid, username: parsed.username, password: parsed.password)
        fuzzCheck(again == message, "PLAIN does not round-trip")
    }

    /// Mode bits: 0x04 SHA-256 (else SHA-1), 0x08 the -PLUS mechanism, 0x10 -PLUS offered,
    /// 0x20 no binding data on this connection.
    /// Returns whether the exchange authenticated (the seed tests check the valid seeds do).
    @discardableResult
    static func scram(_ rest: [UInt8], mode: UInt8) -> Bool {
        let split = rest.firstIndex(of: 0) ?? rest.endIndex
        let clientFirst = Array(rest[..<split])
        let clientFinal = split < rest.endIndex ? Array(rest[(split + 1)...]) : []
        let algorithm: HashAlgorithm = mode & 0x04 != 0 ? .sha256 : .sha1
        let plus = mode & 0x08 != 0
        var server = SCRAMServer(algorithm: algorithm, plus: plus, channelBindingType: "tls-exporter",
                                 channelBindingData: mode & 0x20 != 0 ? nil : bindingData,
                                 channelBindingOffered: plus || mode & 0x10 != 0,
                                 fakeSaltKey: Array(repeating: 7, count: 32), serverNonce: serverNonce)
        guard let (name, _) = try? server.receiveClientFirst(clientFirst) else {
            fuzzCheck(!server.isAuthenticated)
            return false
        }
        let serverFirst = server.serverFirstMessage(credentials: name == username ? credentials[algorithm] : nil)
        fuzzCheck(serverFirst.starts(with: Array("r=".utf8)), "server-first is malformed")
        guard let serverFinal = try? server.receiveClientFinal(clientFinal) else {
            fuzzCheck(!server.isAuthenticated)
            return false
        }
        fuzzCheck(server.isAuthenticated && name == username, "an unknown account authenticated")
        fuzzCheck(serverFinal.starts(with: Array("v=".utf8)), "server-final is malformed")
        fuzzCheck((try? server.receiveClientFinal(clientFinal)) == nil, "a finished exchange accepted another message")
        return true
    }
}
