/// The server side of one SCRAM exchange (RFC 5802, RFC 7677), with optional channel binding (-PLUS).
///
/// Usage: `receiveClientFirst` → look up credentials for the username (nil if unknown) →
/// `serverFirstMessage(credentials:)` → `receiveClientFinal` returns the server-final message.
public struct SCRAMServer: Sendable {
    private let algorithm: HashAlgorithm
    private let plus: Bool
    private let channelBindingType: String?
    private let channelBindingData: [UInt8]?
    private let channelBindingOffered: Bool
    private let fakeSaltKey: [UInt8]
    private let unknownUserIterations: Int
    private let serverNonce: String
    private var state: State = .awaitingClientFirst
    /// The username client-first named, once parsed (for the log, also when the exchange fails).
    public private(set) var claimedUsername: String?
    /// Why the exchange was refused, when the cause is more than a wrong password.
    public private(set) var refusal: SCRAMRefusal?

    private struct ClientFirst: Sendable {
        var gs2Header: [UInt8]
        var bare: [UInt8]
        var clientNonce: [UInt8]
        var username: String
        var bindsChannel: Bool
    }

    private enum State: Sendable {
        case awaitingClientFirst
        case receivedClientFirst(ClientFirst)
        case sentServerFirst(ClientFirst, serverFirst: [UInt8], nonce: [UInt8], credentials: SCRAMCredentials, known: Bool)
        case finished
        case failed
    }

    /// `plus`: this is the -PLUS mechanism; `channelBindingOffered`: the server advertised -PLUS mechanisms.
    /// `fakeSaltKey`: the secret unknown users' salts derive from; it must outlive the process
    /// (a salt that changed on restart while real ones stayed would tell the two apart).
    /// `unknownUserIterations`: the count new credentials get (`scram.iterations`), so an unknown
    /// user's server-first looks like a real one's.
    public init(algorithm: HashAlgorithm, plus: Bool, channelBindingType: String?, channelBindingData: [UInt8]?,
                channelBindingOffered: Bool, fakeSaltKey: [UInt8], unknownUserIterations: Int = 4096) {
        self.init(algorithm: algorithm, plus: plus, channelBindingType: channelBindingType, channelBindingData: channelBindingData,
                  channelBindingOffered: channelBindingOffered, fakeSaltKey: fakeSaltKey, unknownUserIterations: unknownUserIterations,
                  serverNonce: SCRAMSyntax.makeNonce())
    }

    /// Same as the public init but with a fixed server nonce, for known-answer tests.
    @_spi(Testing)
    public init(algorithm: HashAlgorithm, plus: Bool, channelBindingType: String?, channelBindingData: [UInt8]?,
                channelBindingOffered: Bool, fakeSaltKey: [UInt8], unknownUserIterations: Int = 4096, serverNonce: String) {
        self.algorithm = algorithm
        self.plus = plus
        self.channelBindingType = channelBindingType
        self.channelBindingData = channelBindingData
        self.channelBindingOffered = channelBindingOffered
        self.fakeSaltKey = fakeSaltKey
        self.unknownUserIterations = max(1, unknownUserIterations)
        self.serverNonce = serverNonce
    }

    /// True once the client has proven knowledge of the password.
    public var isAuthenticated: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Parses client-first and applies the channel-binding policy; returns the (decoded) username and authzid.
    public mutating func receiveClientFirst(_ message: [UInt8]) throws(SASLFailure) -> (username: String, authzid: String?) {
        guard case .awaitingClientFirst = state else {
            state = .failed
            throw .malformedRequest
        }
        state = .failed
        guard !message.isEmpty, message.count <= SCRAMSyntax.maximumMessageLength,
              let flagEnd = message.firstIndex(of: UInt8(ascii: ",")),
              let headerEnd = message[(flagEnd + 1)...].firstIndex(of: UInt8(ascii: ","))
        else { throw .malformedRequest }

        let flag = message[..<flagEnd]
        var requestedBinding: ArraySlice<UInt8>?
        var clientSupportsBinding = false
        if flag.elementsEqual("n".utf8) {
        } else if flag.elementsEqual("y".utf8) {
            clientSupportsBinding = true
        } else if flag.starts(with: "p=".utf8), SCRAMSyntax.isValidBindingName(flag.dropFirst(2)) {
            requestedBinding = flag.dropFirst(2)
        } else {
            throw .malformedRequest
        }

        let authzidField = message[(flagEnd + 1)..<headerEnd]
        var authzid: String?
        if !authzidField.isEmpty {
            guard authzidField.starts(with: "a=".utf8), let name = SCRAMSyntax.decodeName(authzidField.dropFirst(2)) else {
                throw .malformedRequest
            }
            authzid = name
        }

        let bare = message[(headerEnd + 1)...]
        guard let attributes = SCRAMSyntax.attributes(bare), attributes.count >= 2,
              attributes[0].name == UInt8(ascii: "n"), attributes[1].name == UInt8(ascii: "r"),
              let username = SCRAMSyntax.decodeName(attributes[0].value),
              SCRAMSyntax.isValidNonce(attributes[1].value), attributes[1].value.count <= 256
        else { throw .malformedRequest }
        claimedUsername = username

        if plus {
            guard let requested = requestedBinding else { throw .malformedRequest }
            guard let type = channelBindingType, channelBindingData != nil, requested.elementsEqual(type.utf8) else {
                refusal = .bindingTypeNotOffered(String(decoding: requested, as: UTF8.self))
                throw .notAuthorized
            }
        } else {
            // "p" needs a -PLUS mechanism; "y" while we offered -PLUS means someone stripped it (downgrade).
            // We cannot tell a stripped offer from a client that merely lacks our binding type, so "y" stays refused.
            if requestedBinding != nil { throw .malformedRequest }
            if clientSupportsBinding && channelBindingOffered {
                refusal = .bindingFlagDowngrade
                throw .notAuthorized
            }
        }

        state = .receivedClientFirst(ClientFirst(
            gs2Header: Array(message[...headerEnd]), bare: Array(bare), clientNonce: Array(attributes[1].value),
            username: username, bindsChannel: requestedBinding != nil))
        return (username, authzid)
    }

    /// Builds server-first from the user's credentials; pass nil for an unknown user (the exchange then fails at the end).
    public mutating func serverFirstMessage(credentials: SCRAMCredentials?) -> [UInt8] {
        guard case .receivedClientFirst(let clientFirst) = state else {
            state = .failed
            return []
        }
        let known: Bool
        let usable: SCRAMCredentials
        if let credentials, isUsable(credentials) {
            known = true
            usable = credentials
        } else {
            known = false
            usable = fakeCredentials(username: clientFirst.username)
        }
        let nonce = clientFirst.clientNonce + Array(serverNonce.utf8)
        let serverFirst = Array("r=".utf8) + nonce + Array(",s=\(Base64.encode(usable.salt)),i=\(usable.iterations)".utf8)
        state = .sentServerFirst(clientFirst, serverFirst: serverFirst, nonce: nonce, credentials: usable, known: known)
        return serverFirst
    }

    /// Verifies client-final (binding, nonce, proof) and returns server-final ("v=…").
    public mutating func receiveClientFinal(_ message: [UInt8]) throws(SASLFailure) -> [UInt8] {
        guard case .sentServerFirst(let clientFirst, let serverFirst, let nonce, let credentials, let known) = state else {
            state = .failed
            throw .malformedRequest
        }
        state = .failed
        guard message.count <= SCRAMSyntax.maximumMessageLength,
              let attributes = SCRAMSyntax.attributes(message[...]), attributes.count >= 3,
              attributes[0].name == UInt8(ascii: "c"), attributes[1].name == UInt8(ascii: "r"),
              let proofAttribute = attributes.last, proofAttribute.name == UInt8(ascii: "p"),
              let binding = Base64.decode(bytes: attributes[0].value),
              let proof = Base64.decode(bytes: proofAttribute.value), proof.count == algorithm.digestLength
        else { throw .malformedRequest }
        guard attributes[1].value.elementsEqual(nonce) else { throw .notAuthorized }

        var expectedBinding = clientFirst.gs2Header
        if clientFirst.bindsChannel, let data = channelBindingData { expectedBinding += data }
        let bindingMatches = Crypto.constantTimeEqual(binding, expectedBinding)
        if !bindingMatches { refusal = .bindingDataMismatch }

        let withoutProof = message[..<(proofAttribute.start - 1)]
        let authMessage = clientFirst.bare + [UInt8(ascii: ",")] + serverFirst + [UInt8(ascii: ",")] + withoutProof
        let clientSignature = Crypto.hmac(algorithm, key: credentials.storedKey, data: authMessage)
        let clientKey = SCRAMSyntax.xor(proof, clientSignature)
        let proofMatches = Crypto.constantTimeEqual(Crypto.hash(algorithm, clientKey), credentials.storedKey)
        guard bindingMatches, proofMatches, known else { throw .notAuthorized }

        let serverSignature = Crypto.hmac(algorithm, key: credentials.serverKey, data: authMessage)
        state = .finished
        return Array("v=\(Base64.encode(serverSignature))".utf8)
    }

    private func isUsable(_ credentials: SCRAMCredentials) -> Bool {
        credentials.algorithm == algorithm && !credentials.salt.isEmpty && credentials.iterations >= 1
            && credentials.storedKey.count == algorithm.digestLength && credentials.serverKey.count == algorithm.digestLength
    }

    /// Stable per-username salt so repeated probes cannot tell unknown users from real ones.
    private func fakeCredentials(username: String) -> SCRAMCredentials {
        let seed = Crypto.hmac(.sha256, key: fakeSaltKey, data: Array((algorithm.rawValue + "\0" + username).utf8))
        return SCRAMCredentials(algorithm: algorithm, salt: Array(seed.prefix(SCRAMCredentials.defaultSaltLength)),
                                iterations: unknownUserIterations,
                                storedKey: Crypto.randomBytes(algorithm.digestLength),
                                serverKey: Crypto.randomBytes(algorithm.digestLength))
    }
}
