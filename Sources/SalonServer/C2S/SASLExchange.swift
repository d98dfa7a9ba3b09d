import Logging
import NIOCore
import SalonSecurity
import SalonStore
import XMPPCore

/// The SASL exchange of one client stream on the wire (RFC 6120 §6): the `<mechanisms/>`
/// feature, then `<auth/>`, `<challenge/>`, `<response/>`, `<success/>`, `<failure/>` and
/// `<abort/>`. `SASLNegotiator` does the mechanism's work; this type speaks the elements,
/// awaits the credential lookup, applies the login throttle and counts failed attempts.
/// Lives on its stream's event loop, owned by the `C2SConnection`.
final class SASLExchange {
    private let context: ServerContext
    private let stream: XMPPStream
    private let remoteAddress: String
    private let logger: Logger
    /// Called once the client is authenticated, after `<success/>` is sent.
    private let succeeded: (_ account: JID, _ mechanism: SASLMechanism) -> Void
    private var negotiator: SASLNegotiator?
    private var offeredMechanisms: [SASLMechanism] = []
    /// Whether the exchange sent its challenge and waits for the client's final message.
    private var awaitingFinal = false
    private var failedAuthentications = 0
    /// Attempts refused before any password check; bounded so a stream cannot loop forever.
    private var refusedMechanisms = 0
    /// The account this stream authenticated as.
    private(set) var authenticated: JID?
    /// Whether an attempt of this stream holds one of its address's places
    /// (`AuthenticationsInProgress`), from its password check until its answer.
    private var holdsPlace = false

    static let maxAuthenticationAttempts = 3
    /// Enough for a client to walk through every SCRAM mechanism twice.
    static let maxRefusedMechanisms = 8

    init(context: ServerContext, stream: XMPPStream, remoteAddress: String,
         succeeded: @escaping (_ account: JID, _ mechanism: SASLMechanism) -> Void) {
        self.context = context
        self.stream = stream
        self.remoteAddress = remoteAddress
        self.logger = stream.logger
        self.succeeded = succeeded
    }

    /// The stream features that offer SASL: `<mechanisms/>` and, when channel binding is
    /// possible, XEP-0440's `<sasl-channel-binding/>`. Remembers what it offered.
    func features(tls: OpenSSLHandler?) -> [XMLElement] {
        let binding = tls?.hasChannelBinding(type: "tls-exporter") ?? false
        offeredMechanisms = SASLMechanism.offered(tls: tls != nil, channelBinding: binding)
        var mechanisms = XMLElement("mechanisms", namespace: NS.sasl)
        for mechanism in offeredMechanisms {
            var element = XMLElement("mechanism", namespace: NS.sasl)
            element.append(text: mechanism.rawValue)
            mechanisms.append(element)
        }
        guard binding else { return [mechanisms] }
        return [mechanisms, XMLElement("sasl-channel-binding", namespace: "urn:xmpp:sasl-cb:0", children: [
            .element(XMLElement("channel-binding", namespace: "urn:xmpp:sasl-cb:0", attributes: ["type": "tls-exporter"])),
        ])]
    }

    /// `<auth/>`. `allowed` is false while TLS is required but not yet started.
    func authenticate(_ auth: XMLElement, allowed: Bool, tls: OpenSSLHandler?) {
        guard authenticated == nil, negotiator == nil else { return stream.fail(.policyViolation, text: "Already authenticating.") }
        guard allowed else { return sendFailure(.encryptionRequired, text: "Start TLS first.") }
        guard let mechanism = auth[attribute: "mechanism"].flatMap(SASLMechanism.init(rawValue:)),
              offeredMechanisms.contains(mechanism) else {
            return sendFailure(.invalidMechanism)
        }
        let binding = mechanism.isPlus ? tls?.channelBinding(type: "tls-exporter") : nil
        var negotiator = SASLNegotiator(mechanism: mechanism, domain: context.domain, channelBindingData: binding,
                                        plusOffered: offeredMechanisms.contains(where: \.isPlus), fakeSaltKey: context.fakeSaltKey,
                                        unknownUserIterations: context.configuration.scramIterations)
        let text = auth.text
        if text.isEmpty {
            // No initial response: an empty challenge asks for it (RFC 6120 §6.4.2).
            self.negotiator = negotiator
            stream.send(XMLElement("challenge", namespace: NS.sasl))
            return
        }
        guard let message = Self.decode(text) else { return sendFailure(.incorrectEncoding) }
        start(&negotiator, message)
    }

    /// `<response/>`.
    func respond(_ response: XMLElement) {
        guard var negotiator else { return sendFailure(.malformedRequest) }
        guard let message = Self.decode(response.text) else { return sendFailure(.incorrectEncoding) }
        // After an empty challenge the first response carries the initial message.
        if !awaitingFinal {
            return start(&negotiator, message)
        }
        do throws(SASLFailure) {
            let step = try negotiator.respond(message)
            self.negotiator = negotiator
            advance(step)
        } catch {
            attemptFailed(error, negotiator)
        }
    }

    /// `<abort/>`.
    func abort() {
        releasePlace()
        negotiator = nil
        awaitingFinal = false
        stream.send(XMLElement("failure", namespace: NS.sasl, children: [.element(XMLElement("aborted", namespace: NS.sasl))]))
    }

    private func start(_ negotiator: inout SASLNegotiator, _ message: [UInt8]) {
        let account: JID?
        do { account = try negotiator.start(message) } catch { return attemptFailed(error, negotiator) }
        guard takePlace(for: negotiator) else { return }
        self.negotiator = negotiator
        let database = context.database
        let mechanism = negotiator.mechanism
        stream.awaiting(started: { (promise: EventLoopPromise<(SCRAMCredentials?, Bool)>) in
            guard let account else { return promise.succeed((nil, false)) }
            database.accounts.credential(jid: account.description, algorithm: mechanism.storedAlgorithm) { found in
                guard mechanism == .plain, case .success(let credential) = found else {
                    return promise.completeWith(found.map { ($0, false) })
                }
                // PLAIN derives a key from the password: a task, not the storage thread.
                promise.completeWithTask { (credential, SASLNegotiator.verifyPlain(message, against: credential)) }
            }
        }, then: { [self] result in
            guard var negotiator = self.negotiator else { return }
            guard case .success(let (credential, verified)) = result else {
                self.negotiator = nil
                return sendFailure(.temporaryAuthFailure)
            }
            do throws(SASLFailure) {
                let step = try negotiator.proceed(credential: credential, plainVerified: verified)
                self.negotiator = negotiator
                advance(step)
            } catch {
                attemptFailed(error, negotiator)
            }
        })
    }

    private func advance(_ step: SASLNegotiator.Step) {
        switch step {
        case .challenge(let data):
            awaitingFinal = true
            var challenge = XMLElement("challenge", namespace: NS.sasl)
            challenge.append(text: Base64.encode(data))
            stream.send(challenge)
        case .success(let jid, let data):
            guard let mechanism = negotiator?.mechanism else { return }
            negotiator = nil
            awaitingFinal = false
            authenticated = jid
            releasePlace()
            context.throttle.succeeded(account: jid.description)
            var success = XMLElement("success", namespace: NS.sasl)
            if !data.isEmpty { success.append(text: Base64.encode(data)) }
            stream.send(success)
            succeeded(jid, mechanism)
        }
    }

    /// Answers a refused request that tried no credentials.
    private func sendFailure(_ failure: SASLFailure, text: String? = nil) {
        releasePlace()
        negotiator = nil
        awaitingFinal = false
        var element = XMLElement("failure", namespace: NS.sasl, children: [.element(XMLElement(failure.rawValue, namespace: NS.sasl))])
        if let text {
            var t = XMLElement("text", namespace: NS.sasl)
            t.append(text: text)
            element.append(t)
        }
        stream.send(element)
    }

    /// Answers a failed attempt once the login throttle's delay is over; too many failures end
    /// the stream. A refusal that came before any password check (a binding type this
    /// connection does not offer, or the downgrade flag) is answered at once and left uncounted,
    /// so the client can go on to its next mechanism; wrong binding data is counted like a wrong
    /// password (someone in the middle, or a broken client).
    private func attemptFailed(_ failure: SASLFailure, _ negotiator: SASLNegotiator) {
        self.negotiator = nil
        awaitingFinal = false
        let name = negotiator.user?.description
        let metadata: Logger.Metadata = [
            "account": "\(name ?? negotiator.claimedName.map { "\($0) (not an account name)" } ?? "-")",
            "mechanism": "\(negotiator.mechanism.rawValue)", "cause": "\(negotiator.cause(of: failure))",
            "address": "\(remoteAddress)",
        ]
        if let refusal = negotiator.refusal, refusal.precedesPasswordCheck {
            refusedMechanisms += 1
            logger.info("authentication refused before any password check", metadata: metadata)
            context.metrics.authenticated(mechanism: negotiator.mechanism.rawValue, .refused)
            sendFailure(failure, text: Self.explanation(of: refusal))
            if refusedMechanisms >= Self.maxRefusedMechanisms {
                stream.fail(.policyViolation, text: "Too many refused authentication attempts.")
            }
            return
        }
        failedAuthentications += 1
        logger.info("authentication failed", metadata: metadata)
        context.metrics.authenticated(mechanism: negotiator.mechanism.rawValue, .failure)
        let exhausted = failedAuthentications >= Self.maxAuthenticationAttempts
        stream.answerFailure(throttledBy: context.throttle, account: name, address: remoteAddress) { [self] in
            sendFailure(failure)
            if exhausted { stream.fail(.policyViolation, text: "Too many failed authentication attempts.") }
        }
    }

    /// Takes a place among the attempts in progress from this address, or answers
    /// temporary-auth-failure (RFC 6120 §6.5.12) at once, with no password checked and no
    /// failure counted, when the address has `limits.auth_in_progress_per_address` already.
    private func takePlace(for negotiator: SASLNegotiator) -> Bool {
        let places = context.throttle.inProgress
        if holdsPlace || places.enter(remoteAddress, limit: context.configuration.limits.authInProgressPerAddress) {
            holdsPlace = true
            return true
        }
        if places.refusalLog.shouldLog(remoteAddress) {
            logger.notice("authentication refused: too many in progress from this address", metadata: [
                "account": "\(negotiator.user?.description ?? negotiator.claimedName ?? "-")",
                "address": "\(remoteAddress)", "cause": "auth_in_progress_per_address",
            ])
        }
        context.metrics.authenticated(mechanism: negotiator.mechanism.rawValue, .refused)
        sendFailure(.temporaryAuthFailure, text: "Too many authentication attempts in progress from your address; try again later.")
        return false
    }

    /// Gives the address's place back: the attempt was answered, or the stream went away.
    func releasePlace() {
        guard holdsPlace else { return }
        holdsPlace = false
        context.throttle.inProgress.leave(remoteAddress)
    }

    /// What the client is told about a refusal that revealed nothing about the account.
    private static func explanation(of refusal: SCRAMRefusal) -> String? {
        switch refusal {
        case .bindingTypeNotOffered(let type): "Channel binding \(type) is not offered here; see sasl-channel-binding."
        case .bindingFlagDowngrade: "This server offers channel binding (-PLUS); the 'y' flag is refused."
        case .bindingDataMismatch: nil
        }
    }

    /// A SASL payload: Base64 with surrounding XML whitespace ignored; "=" is the empty payload.
    static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { bytes in
            func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
            var start = 0, end = bytes.count
            while start < end, isWhitespace(bytes[start]) { start += 1 }
            while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
            let payload = UnsafeBufferPointer(rebasing: bytes[start..<end])
            if payload.count == 1, payload[0] == UInt8(ascii: "=") { return [] }
            return Base64.decode(bytes: payload)
        }
    }
}
