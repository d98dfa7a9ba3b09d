import Testing
@_spi(Testing) import SalonSecurity

/// The secret unknown users' salts derive from, fixed for these tests.
private let fakeSaltKey = [UInt8](repeating: 7, count: 32)

/// Runs a whole exchange and returns the server's username and whether both sides accepted.
private func exchange(client: inout SCRAMClient, server: inout SCRAMServer,
                      credentials: (String) -> SCRAMCredentials?) throws(SASLFailure) -> String {
    let user = try server.receiveClientFirst(client.clientFirstMessage())
    let serverFirst = server.serverFirstMessage(credentials: credentials(user.username))
    let clientFinal = try client.receiveServerFirst(serverFirst)
    let serverFinal = try server.receiveClientFinal(clientFinal)
    try client.receiveServerFinal(serverFinal)
    return user.username
}

@Suite struct SCRAMKnownAnswerTests {
    @Test func rfc5802SHA1Example() throws {
        let salt = try #require(Base64.decode("QSXCR+Q6sek8bf92"))
        let credentials = SCRAMCredentials.derive(password: "pencil", algorithm: .sha1, iterations: 4096, salt: salt)
        var client = SCRAMClient(algorithm: .sha1, username: "user", password: "pencil", channelBinding: nil,
                                 clientNonce: "fyko+d2lbbFgONRv9qkxdawL")
        var server = SCRAMServer(algorithm: .sha1, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey, serverNonce: "3rfcNHYJY1ZVvWVs7j")

        let clientFirst = client.clientFirstMessage()
        #expect(clientFirst == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL".bytes)
        let user = try server.receiveClientFirst(clientFirst)
        #expect(user.username == "user")
        #expect(user.authzid == nil)
        let serverFirst = server.serverFirstMessage(credentials: credentials)
        #expect(serverFirst == "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096".bytes)
        let clientFinal = try client.receiveServerFirst(serverFirst)
        #expect(clientFinal == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=".bytes)
        let serverFinal = try server.receiveClientFinal(clientFinal)
        #expect(serverFinal == "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=".bytes)
        try client.receiveServerFinal(serverFinal)
        #expect(server.isAuthenticated)
    }

    @Test func rfc7677SHA256Example() throws {
        let salt = try #require(Base64.decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
        let credentials = SCRAMCredentials.derive(password: "pencil", algorithm: .sha256, iterations: 4096, salt: salt)
        var client = SCRAMClient(algorithm: .sha256, username: "user", password: "pencil", channelBinding: nil,
                                 clientNonce: "rOprNGfwEbeRWgbNEkqO")
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey, serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")

        let user = try server.receiveClientFirst(client.clientFirstMessage())
        #expect(user.username == "user")
        let serverFirst = server.serverFirstMessage(credentials: credentials)
        #expect(serverFirst == "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".bytes)
        let clientFinal = try client.receiveServerFirst(serverFirst)
        #expect(clientFinal
            == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=".bytes)
        let serverFinal = try server.receiveClientFinal(clientFinal)
        #expect(serverFinal == "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".bytes)
        try client.receiveServerFinal(serverFinal)
    }

    @Test func derivedCredentialsMatchRFC7677Keys() throws {
        let salt = try #require(Base64.decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
        let a = SCRAMCredentials.derive(password: "pencil", algorithm: .sha256, iterations: 4096, salt: salt)
        let b = SCRAMCredentials.derive(password: "pencil", algorithm: .sha256, iterations: 4096, salt: salt)
        #expect(a == b)
        #expect(a.storedKey.count == 32 && a.serverKey.count == 32)
        let random = SCRAMCredentials.derive(password: "pencil", algorithm: .sha1)
        #expect(random.salt.count == SCRAMCredentials.defaultSaltLength)
        #expect(random.iterations == 4096)
    }
}

@Suite struct SCRAMExchangeTests {
    let credentials = SCRAMCredentials.derive(password: "secret", algorithm: .sha256, iterations: 4096)

    @Test(arguments: HashAlgorithm.allCases)
    func succeedsWithRandomNonces(algorithm: HashAlgorithm) throws {
        let stored = SCRAMCredentials.derive(password: "secret", algorithm: algorithm, iterations: 4096)
        var client = SCRAMClient(algorithm: algorithm, username: "romeo", password: "secret", channelBinding: nil)
        var server = SCRAMServer(algorithm: algorithm, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        #expect(try exchange(client: &client, server: &server) { _ in stored } == "romeo")
        #expect(client.mechanism == "SCRAM-\(algorithm.rawValue)")
    }

    @Test func wrongPasswordIsNotAuthorized() throws {
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "guess", channelBinding: nil)
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        _ = try server.receiveClientFirst(client.clientFirstMessage())
        let clientFinal = try client.receiveServerFirst(server.serverFirstMessage(credentials: credentials))
        #expect(throws: SASLFailure.notAuthorized) { try server.receiveClientFinal(clientFinal) }
        #expect(!server.isAuthenticated)
    }

    @Test func unknownUserLooksLikeAWrongPassword() throws {
        func serverFirst(for username: String, key: [UInt8] = fakeSaltKey) throws -> [UInt8] {
            var client = SCRAMClient(algorithm: .sha256, username: username, password: "x", channelBinding: nil)
            var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                     channelBindingOffered: false, fakeSaltKey: key, serverNonce: "fixed")
            _ = try server.receiveClientFirst(client.clientFirstMessage())
            let first = server.serverFirstMessage(credentials: nil)
            let clientFinal = try client.receiveServerFirst(first)
            #expect(throws: SASLFailure.notAuthorized) { try server.receiveClientFinal(clientFinal) }
            return first
        }
        // The fake salt is stable per name, so probing twice reveals nothing.
        let salt = { (message: [UInt8]) in message.split(separator: UInt8(ascii: ","))[1] }
        #expect(try salt(serverFirst(for: "nobody")) == salt(serverFirst(for: "nobody")))
        #expect(try salt(serverFirst(for: "nobody")) != salt(serverFirst(for: "someone")))
        // It derives from the key the server is given, not from anything of the process's own.
        #expect(try salt(serverFirst(for: "nobody", key: [UInt8](repeating: 8, count: 32))) != salt(serverFirst(for: "nobody")))
    }

    @Test func credentialsForAnotherHashAreTreatedAsUnknown() throws {
        let sha1 = SCRAMCredentials.derive(password: "secret", algorithm: .sha1)
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret", channelBinding: nil)
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        #expect(throws: SASLFailure.notAuthorized) { try exchange(client: &client, server: &server) { _ in sha1 } }
    }

    @Test func tamperedProofIsNotAuthorized() throws {
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret", channelBinding: nil)
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        _ = try server.receiveClientFirst(client.clientFirstMessage())
        let clientFinal = try client.receiveServerFirst(server.serverFirstMessage(credentials: credentials))
        let text = String(decoding: clientFinal, as: UTF8.self)
        let proofStart = try #require(text.range(of: ",p="))
        var proof = try #require(Base64.decode(String(text[proofStart.upperBound...])))
        proof[0] ^= 0x01
        let tampered = Array((text[..<proofStart.upperBound] + Base64.encode(proof)).utf8)
        #expect(throws: SASLFailure.notAuthorized) { try server.receiveClientFinal(tampered) }
    }

    @Test func tamperedNonceIsNotAuthorized() throws {
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret", channelBinding: nil)
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        _ = try server.receiveClientFirst(client.clientFirstMessage())
        let clientFinal = try client.receiveServerFirst(server.serverFirstMessage(credentials: credentials))
        let text = String(decoding: clientFinal, as: UTF8.self).replacingOccurrences(",r=", with: ",r=x")
        #expect(throws: SASLFailure.notAuthorized) { try server.receiveClientFinal(Array(text.utf8)) }
    }

    @Test func serverWithoutThePasswordFailsClientVerification() throws {
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret", channelBinding: nil)
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        _ = try server.receiveClientFirst(client.clientFirstMessage())
        _ = try client.receiveServerFirst(server.serverFirstMessage(credentials: credentials))
        #expect(throws: SASLFailure.notAuthorized) {
            try client.receiveServerFinal(Array("v=\(Base64.encode([UInt8](repeating: 7, count: 32)))".utf8))
        }
    }

    @Test func clientRejectsHostileServerFirst() throws {
        let cases = [
            "r=other-nonce,s=QSXCR+Q6sek8bf92,i=4096", // nonce not extending ours
            "r=abc,s=QSXCR+Q6sek8bf92,i=4096", // nonce equal to ours
            "r=abcX,s=!!!,i=4096", // bad salt
            "r=abcX,s=QSXCR+Q6sek8bf92,i=0", // zero iterations
            "r=abcX,s=QSXCR+Q6sek8bf92,i=99999999999", // absurd iterations
            "r=abcX,s=QSXCR+Q6sek8bf92,i=2000000", // above the client's limit
            "m=ext,r=abcX,s=QSXCR+Q6sek8bf92,i=4096", // reserved extension
            "r=abcX,s=QSXCR+Q6sek8bf92", // missing count
            "garbage",
        ]
        for message in cases {
            var client = SCRAMClient(algorithm: .sha1, username: "u", password: "p", channelBinding: nil, clientNonce: "abc")
            _ = client.clientFirstMessage()
            #expect(throws: SASLFailure.malformedRequest, "\(message)") { try client.receiveServerFirst(message.bytes) }
        }
        var client = SCRAMClient(algorithm: .sha1, username: "u", password: "p", channelBinding: nil, clientNonce: "abc")
        _ = client.clientFirstMessage()
        #expect(throws: SASLFailure.notAuthorized) { try client.receiveServerFirst("e=other-error".bytes) }
    }

    @Test func usernamesAreEscapedAndAuthzidIsReported() throws {
        var client = SCRAMClient(algorithm: .sha256, username: "a,b=c", password: "secret", channelBinding: nil)
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        let first = client.clientFirstMessage()
        #expect(String(decoding: first, as: UTF8.self).hasPrefix("n,,n=a=2Cb=3Dc,r="))
        #expect(try server.receiveClientFirst(first).username == "a,b=c")

        var other = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        let user = try other.receiveClientFirst("n,a=admin=2Cx,n=juliet,r=abc".bytes)
        #expect(user.username == "juliet")
        #expect(user.authzid == "admin,x")
    }

    @Test func nonASCIIPasswordsAreNormalised() throws {
        // "Ⅸ" (U+2168) normalises to "IX" under NFKC, so both spellings authenticate.
        let stored = SCRAMCredentials.derive(password: "IX", algorithm: .sha256)
        var client = SCRAMClient(algorithm: .sha256, username: "u", password: "\u{2168}", channelBinding: nil)
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        #expect(try exchange(client: &client, server: &server) { _ in stored } == "u")
        #expect(stored.verify(password: "I\u{00AD}X"))
    }

    static let malformedClientFirst = [
        "", "n", "n,", "x,,n=u,r=abc", "p,,n=u,r=abc", "p=,,n=u,r=abc", "p=tls exporter,,n=u,r=abc",
        "n,b=x,n=u,r=abc", "n,a=,n=u,r=abc", "n,,n=,r=abc", "n,,n=u=2X,r=abc", "n,,n=u=2,r=abc",
        "n,,r=abc,n=u", "n,,n=u", "n,,n=u,r=", "n,,n=u,r=a b", "n,,m=x,n=u,r=abc", "n,,n=u,,r=abc",
        "n,,n=u,r=abc,", "n,,n=u,r=abc,=x", "n,,n=\u{0}u,r=abc",
    ]

    @Test(arguments: malformedClientFirst)
    func rejectsMalformedClientFirst(message: String) {
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        #expect(throws: SASLFailure.malformedRequest) { try server.receiveClientFirst(message.bytes) }
    }

    @Test func rejectsInvalidUTF8AndOversizedMessages() {
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        #expect(throws: SASLFailure.malformedRequest) { try server.receiveClientFirst("n,,n=".bytes + [0xC3, 0x28] + ",r=abc".bytes) }
        var big = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                              channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        let huge = "n,,n=u,r=abc,x=".bytes + [UInt8](repeating: 0x61, count: 5000)
        #expect(throws: SASLFailure.malformedRequest) { try big.receiveClientFirst(huge) }
    }

    @Test func rejectsMalformedClientFinal() throws {
        let finals = ["", "c=biws", "c=biws,r=NONCE", "r=NONCE,c=biws,p=AAAA", "c=!!,r=NONCE,p=AAAA", "c=biws,r=NONCE,p=AAAA",
                      "c=biws,r=NONCE,p=AAAA,x=1"]
        for final in finals {
            var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                     channelBindingOffered: false, fakeSaltKey: fakeSaltKey, serverNonce: "S")
            _ = try server.receiveClientFirst("n,,n=u,r=C".bytes)
            _ = server.serverFirstMessage(credentials: credentials)
            let message = final.replacingOccurrences("NONCE", with: "CS")
            #expect(throws: SASLFailure.malformedRequest, "\(final)") { try server.receiveClientFinal(message.bytes) }
        }
    }

    @Test func outOfOrderCallsFail() {
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        #expect(server.serverFirstMessage(credentials: credentials).isEmpty)
        #expect(throws: SASLFailure.malformedRequest) { try server.receiveClientFinal("c=biws,r=x,p=AAAA".bytes) }
        var client = SCRAMClient(algorithm: .sha256, username: "u", password: "p", channelBinding: nil)
        #expect(throws: SASLFailure.malformedRequest) { try client.receiveServerFinal("v=AAAA".bytes) }
    }
}

@Suite struct SCRAMChannelBindingTests {
    let credentials = SCRAMCredentials.derive(password: "secret", algorithm: .sha256, iterations: 4096)
    let binding: [UInt8] = Array(0..<32)

    func server(plus: Bool, offered: Bool = true, data: [UInt8]? = nil) -> SCRAMServer {
        SCRAMServer(algorithm: .sha256, plus: plus, channelBindingType: "tls-exporter", channelBindingData: data ?? binding,
                    channelBindingOffered: offered, fakeSaltKey: fakeSaltKey)
    }

    @Test func plusSucceedsWithMatchingBinding() throws {
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret",
                                 channelBinding: (type: "tls-exporter", data: binding), serverSupportsPlus: true)
        var server = server(plus: true)
        #expect(client.mechanism == "SCRAM-SHA-256-PLUS")
        #expect(String(decoding: client.clientFirstMessage(), as: UTF8.self).hasPrefix("p=tls-exporter,,"))
        var fresh = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret",
                                channelBinding: (type: "tls-exporter", data: binding), serverSupportsPlus: true)
        #expect(try exchange(client: &fresh, server: &server) { _ in credentials } == "romeo")
    }

    @Test func plusFailsWhenBindingDataDiffers() throws {
        // What a man in the middle sees: two TLS connections with different exporter values.
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret",
                                 channelBinding: (type: "tls-exporter", data: Array(repeating: 9, count: 32)), serverSupportsPlus: true)
        var server = server(plus: true)
        #expect(throws: SASLFailure.notAuthorized) { try exchange(client: &client, server: &server) { _ in credentials } }
        #expect(server.refusal == .bindingDataMismatch)
        #expect(server.refusal?.precedesPasswordCheck == false)
    }

    @Test func plusFailsForAnotherBindingType() {
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret",
                                 channelBinding: (type: "tls-unique", data: binding), serverSupportsPlus: true)
        var server = server(plus: true)
        #expect(throws: SASLFailure.notAuthorized) { try server.receiveClientFirst(client.clientFirstMessage()) }
        #expect(server.refusal == .bindingTypeNotOffered("tls-unique"))
        #expect(server.refusal?.precedesPasswordCheck == true)
        #expect(server.claimedUsername == "romeo")
    }

    @Test func plusFailsWithoutServerBindingData() {
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret",
                                 channelBinding: (type: "tls-exporter", data: binding), serverSupportsPlus: true)
        var server = SCRAMServer(algorithm: .sha256, plus: true, channelBindingType: "tls-exporter", channelBindingData: nil,
                                 channelBindingOffered: true, fakeSaltKey: fakeSaltKey)
        #expect(throws: SASLFailure.notAuthorized) { try server.receiveClientFirst(client.clientFirstMessage()) }
    }

    @Test func plusMechanismRequiresBindingFlag() {
        var server = server(plus: true)
        #expect(throws: SASLFailure.malformedRequest) { try server.receiveClientFirst("n,,n=u,r=abc".bytes) }
        var other = self.server(plus: true)
        #expect(throws: SASLFailure.malformedRequest) { try other.receiveClientFirst("y,,n=u,r=abc".bytes) }
    }

    @Test func bindingFlagWithPlainMechanismIsRejected() {
        var server = server(plus: false)
        #expect(throws: SASLFailure.malformedRequest) { try server.receiveClientFirst("p=tls-exporter,,n=u,r=abc".bytes) }
    }

    @Test func downgradeIsDetected() {
        // The client could bind but saw no -PLUS offer ("y"), while the server did offer it: someone stripped it.
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret",
                                 channelBinding: (type: "tls-exporter", data: binding), serverSupportsPlus: false)
        #expect(client.mechanism == "SCRAM-SHA-256")
        let first = client.clientFirstMessage()
        #expect(first.starts(with: "y,,".bytes))
        var server = server(plus: false, offered: true)
        #expect(throws: SASLFailure.notAuthorized) { try server.receiveClientFirst(first) }
        #expect(server.refusal == .bindingFlagDowngrade)
    }

    @Test func yFlagIsFineWhenPlusWasNotOffered() throws {
        var client = SCRAMClient(algorithm: .sha256, username: "romeo", password: "secret",
                                 channelBinding: (type: "tls-exporter", data: binding), serverSupportsPlus: false)
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey)
        #expect(try exchange(client: &client, server: &server) { _ in credentials } == "romeo")
    }

    @Test func clientFinalBindingMustRepeatTheHeader() throws {
        // A client that says "n" first but claims "y" in c= is caught.
        var server = SCRAMServer(algorithm: .sha256, plus: false, channelBindingType: nil, channelBindingData: nil,
                                 channelBindingOffered: false, fakeSaltKey: fakeSaltKey, serverNonce: "S")
        _ = try server.receiveClientFirst("n,,n=u,r=C".bytes)
        _ = server.serverFirstMessage(credentials: credentials)
        let final = "c=\(Base64.encode("y,,".bytes)),r=CS,p=\(Base64.encode([UInt8](repeating: 0, count: 32)))"
        #expect(throws: SASLFailure.notAuthorized) { try server.receiveClientFinal(final.bytes) }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
