/// The client side of one SCRAM exchange, for tests, the client library and the benchmark.
///
/// The GS2 flag follows from the arguments: channel-binding data and `serverSupportsPlus` → "p=type"
/// (use the -PLUS mechanism); data without `serverSupportsPlus` → "y"; no data → "n".
public struct SCRAMClient: Sendable {
    /// Largest iteration count accepted from a server, so a hostile one cannot stall the client.
    public static let maximumIterations = 1_000_000

    private let algorithm: HashAlgorithm
    private let username: String
    private let password: String
    private let bindingType: String?
    private let bindingData: [UInt8]?
    private let serverSupportsPlus: Bool
    private let clientNonce: String
    private var state: State = .initial

    private enum State: Sendable {
        case initial
        case sentClientFirst(gs2Header: [UInt8], bare: [UInt8])
        case sentClientFinal(expectedServerSignature: [UInt8])
        case finished
        case failed
    }

    /// A client for `username`; pass the connection's channel binding when it has one.
    public init(algorithm: HashAlgorithm, username: String, password: String, channelBinding: (type: String, data: [UInt8])?,
                serverSupportsPlus: Bool = false) {
        self.init(algorithm: algorithm, username: username, password: password, channelBinding: channelBinding,
                  serverSupportsPlus: serverSupportsPlus, clientNonce: SCRAMSyntax.makeNonce())
    }

    /// Same as the public init but with a fixed client nonce, for known-answer tests.
    @_spi(Testing)
    public init(algorithm: HashAlgorithm, username: String, password: String, channelBinding: (type: String, data: [UInt8])?,
                serverSupportsPlus: Bool = false, clientNonce: String) {
        self.algorithm = algorithm
        self.username = username
        self.password = password
        self.bindingType = channelBinding?.type
        self.bindingData = channelBinding?.data
        self.serverSupportsPlus = serverSupportsPlus
        self.clientNonce = clientNonce
    }

    /// Whether this client binds the channel, i.e. must use the -PLUS mechanism.
    public var usesChannelBinding: Bool { bindingType != nil && serverSupportsPlus }

    /// The SASL mechanism name this client speaks, e.g. "SCRAM-SHA-256-PLUS".
    public var mechanism: String { algorithm.scramMechanism(plus: usesChannelBinding) }

    /// client-first: GS2 header + "n=user,r=nonce".
    public mutating func clientFirstMessage() -> [UInt8] {
        let flag: String
        if let bindingType, serverSupportsPlus {
            flag = "p=" + bindingType
        } else if bindingType != nil {
            flag = "y"
        } else {
            flag = "n"
        }
        let gs2Header = Array((flag + ",,").utf8)
        let bare = Array("n=".utf8) + SCRAMSyntax.encodeName(username) + Array(",r=\(clientNonce)".utf8)
        state = .sentClientFirst(gs2Header: gs2Header, bare: bare)
        return gs2Header + bare
    }

    /// Checks server-first and returns client-final with the proof.
    public mutating func receiveServerFirst(_ message: [UInt8]) throws(SASLFailure) -> [UInt8] {
        guard case .sentClientFirst(let gs2Header, let bare) = state else {
            state = .failed
            throw .malformedRequest
        }
        state = .failed
        guard message.count <= SCRAMSyntax.maximumMessageLength, let attributes = SCRAMSyntax.attributes(message[...]) else {
            throw .malformedRequest
        }
        if attributes.first?.name == UInt8(ascii: "e") { throw .notAuthorized }
        guard attributes.count >= 3,
              attributes[0].name == UInt8(ascii: "r"), attributes[1].name == UInt8(ascii: "s"), attributes[2].name == UInt8(ascii: "i"),
              SCRAMSyntax.isValidNonce(attributes[0].value),
              attributes[0].value.count > clientNonce.utf8.count, attributes[0].value.starts(with: clientNonce.utf8),
              let salt = Base64.decode(bytes: attributes[1].value), !salt.isEmpty,
              let iterations = SCRAMSyntax.parseIterations(attributes[2].value), iterations <= SCRAMClient.maximumIterations
        else { throw .malformedRequest }

        var binding = gs2Header
        if usesChannelBinding, let bindingData { binding += bindingData }
        let withoutProof = Array("c=\(Base64.encode(binding)),r=".utf8) + attributes[0].value
        let authMessage = bare + [UInt8(ascii: ",")] + message + [UInt8(ascii: ",")] + withoutProof

        let keys = SCRAMKeyCache.keys(algorithm: algorithm, password: password, salt: salt, iterations: iterations)
        let clientSignature = Crypto.hmac(algorithm, key: keys.storedKey, data: authMessage)
        let proof = SCRAMSyntax.xor(keys.clientKey, clientSignature)
        let serverSignature = Crypto.hmac(algorithm, key: keys.serverKey, data: authMessage)
        state = .sentClientFinal(expectedServerSignature: serverSignature)
        return withoutProof + Array(",p=\(Base64.encode(proof))".utf8)
    }

    /// Verifies the server's signature in server-final; throws `.notAuthorized` if the server does not know the password.
    public mutating func receiveServerFinal(_ message: [UInt8]) throws(SASLFailure) {
        guard case .sentClientFinal(let expected) = state else {
            state = .failed
            throw .malformedRequest
        }
        state = .failed
        guard message.count <= SCRAMSyntax.maximumMessageLength, let attributes = SCRAMSyntax.attributes(message[...]),
              let first = attributes.first
        else { throw .malformedRequest }
        if first.name == UInt8(ascii: "e") { throw .notAuthorized }
        guard first.name == UInt8(ascii: "v"), let signature = Base64.decode(bytes: first.value) else { throw .malformedRequest }
        guard Crypto.constantTimeEqual(signature, expected) else { throw .notAuthorized }
        state = .finished
    }
}
