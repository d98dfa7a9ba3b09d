import SalonSecurity
import XMPPCore

/// The SASL mechanisms a stream may offer, strongest first.
enum SASLMechanism: String, CaseIterable, Sendable {
    case scramSHA256Plus = "SCRAM-SHA-256-PLUS"
    case scramSHA1Plus = "SCRAM-SHA-1-PLUS"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA1 = "SCRAM-SHA-1"
    case plain = "PLAIN"

    var algorithm: HashAlgorithm? {
        switch self {
        case .scramSHA256, .scramSHA256Plus: .sha256
        case .scramSHA1, .scramSHA1Plus: .sha1
        case .plain: nil
        }
    }

    var isPlus: Bool { self == .scramSHA256Plus || self == .scramSHA1Plus }

    /// What to offer: -PLUS only with channel binding data, PLAIN only over TLS.
    static func offered(tls: Bool, channelBinding: Bool) -> [SASLMechanism] {
        allCases.filter { mechanism in
            if mechanism.isPlus { return channelBinding }
            if mechanism == .plain { return tls }
            return true
        }
    }

    /// The hash of the stored credential a mechanism checks against (PLAIN: SHA-256).
    var storedAlgorithm: HashAlgorithm {
        algorithm ?? .sha256
    }
}

/// One SASL exchange on one stream. The storage lookups are async; the stream awaits them.
struct SASLNegotiator {
    enum Step {
        /// Send a challenge and wait for the client's response.
        case challenge([UInt8])
        /// Authenticated: send success with the additional data.
        case success(JID, [UInt8])
    }

    let mechanism: SASLMechanism
    let domain: String
    let channelBindingData: [UInt8]?
    let plusOffered: Bool
    let fakeSaltKey: [UInt8]
    /// The iteration count an unknown user's fake credentials show: `scram.iterations`.
    let unknownUserIterations: Int
    private var scram: SCRAMServer?
    private var started = false
    /// The account the exchange names, once known.
    private(set) var user: JID?
    /// The name the client gave, even when it names no account (for the log).
    private(set) var claimedName: String?
    /// Why SCRAM refused, when it is more than a wrong password.
    private(set) var refusal: SCRAMRefusal?
    /// Whether the named account had a credential for this mechanism, once looked up.
    private(set) var accountFound: Bool?

    init(mechanism: SASLMechanism, domain: String, channelBindingData: [UInt8]?, plusOffered: Bool, fakeSaltKey: [UInt8],
         unknownUserIterations: Int = 4096) {
        self.mechanism = mechanism
        self.domain = domain
        self.channelBindingData = channelBindingData
        self.plusOffered = plusOffered
        self.fakeSaltKey = fakeSaltKey
        self.unknownUserIterations = unknownUserIterations
    }

    /// The account a SASL username names, or nil when it cannot be one.
    func account(for username: String, authzid: String?) throws(SASLFailure) -> JID {
        guard let jid = try? JID(localpart: username, domainpart: domain, resourcepart: nil) else {
            throw .notAuthorized
        }
        if let authzid, !authzid.isEmpty {
            guard let requested = try? JID(authzid), requested == jid else { throw .invalidAuthzid }
        }
        return jid
    }

    /// The first client message (initial response). Returns the account whose credentials
    /// the next step needs, or nil when the username cannot name one.
    mutating func start(_ message: [UInt8]) throws(SASLFailure) -> JID? {
        started = true
        switch mechanism {
        case .plain:
            let (authzid, username, _) = try SASLPlain.parse(message)
            claimedName = username
            let jid = try account(for: username, authzid: authzid)
            user = jid
            return jid
        default:
            var server = SCRAMServer(algorithm: mechanism.algorithm!, plus: mechanism.isPlus,
                                     channelBindingType: mechanism.isPlus ? "tls-exporter" : nil,
                                     channelBindingData: channelBindingData, channelBindingOffered: plusOffered,
                                     fakeSaltKey: fakeSaltKey, unknownUserIterations: unknownUserIterations)
            let username: String, authzid: String?
            do {
                (username, authzid) = try server.receiveClientFirst(message)
            } catch {
                claimedName = server.claimedUsername
                user = claimedName.flatMap { try? account(for: $0, authzid: nil) }
                refusal = server.refusal
                throw error
            }
            claimedName = username
            scram = server
            let jid = try? account(for: username, authzid: nil)
            if let authzid, !authzid.isEmpty, (try? JID(authzid)) != jid { throw .invalidAuthzid }
            user = jid
            return jid
        }
    }

    /// Continues with the stored credential (nil for an unknown user, who fails at the end
    /// exactly like a wrong password). For PLAIN, `plainVerified` is the outcome of
    /// `verifyPlain`, computed off the event loop.
    mutating func proceed(credential: SCRAMCredentials?, plainVerified: Bool) throws(SASLFailure) -> Step {
        guard started else { throw .malformedRequest }
        accountFound = user != nil && credential != nil
        switch mechanism {
        case .plain:
            guard let user, plainVerified else { throw .notAuthorized }
            return .success(user, [])
        default:
            guard var server = scram else { throw .malformedRequest }
            let first = server.serverFirstMessage(credentials: credential)
            scram = server
            return .challenge(first)
        }
    }

    /// PLAIN: whether the password in `message` matches the stored credential. Costs a PBKDF2
    /// run, so it belongs off the event loop.
    static func verifyPlain(_ message: [UInt8], against credential: SCRAMCredentials?) -> Bool {
        guard let credential, let (_, _, password) = try? SASLPlain.parse(message) else { return false }
        return credential.verify(password: password)
    }

    /// The client's response to a challenge.
    mutating func respond(_ message: [UInt8]) throws(SASLFailure) -> Step {
        guard var server = scram else { throw .malformedRequest }
        let final: [UInt8]
        do {
            final = try server.receiveClientFinal(message)
        } catch {
            refusal = server.refusal
            throw error
        }
        scram = server
        guard let user else { throw .notAuthorized }
        return .success(user, final)
    }

    /// The cause of a failure, for the operator's log (never sent to the client).
    func cause(of failure: SASLFailure) -> String {
        switch refusal {
        case .bindingTypeNotOffered(let type): return "channel binding \(type) is not offered on this connection"
        case .bindingFlagDowngrade: return "client sent the 'y' flag although -PLUS was offered (possible downgrade)"
        case .bindingDataMismatch: return "channel binding data differ from this connection's"
        case nil: break
        }
        guard failure == .notAuthorized else { return failure.rawValue }
        switch accountFound {
        case false?: return user == nil ? "the name cannot be an account" : "unknown account"
        case true?: return "wrong password"
        case nil: return failure.rawValue
        }
    }
}
