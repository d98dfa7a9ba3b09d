import Foundation
import Logging
import NIOCore
import PersistentChat
import SalonStore
import Synchronization
import XMPPCore

/// XEP-0363 HTTP File Upload on `upload.<domain>`: discovery and slot requests. A slot is
/// checked against the persistent-chat rules (policy, MaxFileSizeKB), the content-type lists,
/// a per-user rate, the daily quota and the storage cap, then recorded and answered with a
/// signed PUT URL and the GET URL (`FileRoutes` serves both).
final class UploadService: Sendable {
    let domain: String
    let serverDomain: String
    let configuration: UploadConfiguration
    /// Where the HTTP server is reached, without a trailing slash; known once it listens.
    var baseURL: String { base.withLock { $0 } }
    private let base = Mutex("")
    let tokenKey: [UInt8]
    let store: any FileStore
    let directory: @Sendable () -> ChatDirectory
    unowned let router: Router
    let logger: Logger
    private let rates = Mutex<[String: TokenBucket]>([:])
    static let maxTrackedUploaders = 10_000

    init(domain: String, serverDomain: String, configuration: UploadConfiguration, tokenKey: [UInt8],
         store: any FileStore, directory: @escaping @Sendable () -> ChatDirectory, router: Router, logger: Logger) {
        self.domain = domain
        self.serverDomain = serverDomain
        self.configuration = configuration
        self.tokenKey = tokenKey
        self.store = store
        self.directory = directory
        self.router = router
        self.logger = logger
    }

    /// Set when the HTTP server listens: the configured public URL, else `scheme://domain:port`.
    func listening(at url: String) {
        base.withLock { $0 = url }
    }

    func handle(_ stanza: Stanza, from: JID) -> RoutingFollowup? {
        switch stanza.kind {
        case .iq: break
        case .message: router.bounce(stanza, StanzaError(.serviceUnavailable, text: "The upload service takes no messages."))
            return nil
        case .presence: return nil
        }
        guard stanza.type == "get" || stanza.type == "set" else { return nil }
        let payload = stanza.element.elements.first
        switch (stanza.type, payload?.namespace, payload?.name) {
        case ("get", NS.discoInfo, "query") where payload?[attribute: "node"] == nil:
            answer(stanza, discoInfo())
        case ("get", NS.discoItems, "query") where payload?[attribute: "node"] == nil:
            answer(stanza, XMLElement("query", namespace: NS.discoItems))
        case ("get", NS.ping, "ping"):
            answer(stanza, nil)
        case ("get", UploadSlotRequest.ns, "request"):
            return slot(stanza, payload!, from: from)
        case ("get", NS.discoInfo, _), ("get", NS.discoItems, _):
            router.bounce(stanza, StanzaError(.itemNotFound))
        default:
            router.bounce(stanza, StanzaError(.serviceUnavailable))
        }
        return nil
    }

    /// XEP-0363 §2: the service identity, the feature and the largest file (XEP-0128 form).
    func discoInfo() -> XMLElement {
        var query = XMLElement("query", namespace: NS.discoInfo)
        query.append(XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "store", "type": "file", "name": "File upload"]))
        for feature in [NS.discoInfo, NS.discoItems, NS.ping, UploadSlotRequest.ns] {
            query.append(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": feature]))
        }
        query.append(DataForm(type: .result, formType: UploadSlotRequest.ns, fields: [
            DataForm.Field("max-file-size", values: ["\(directory().maxFileBytes)"]),
        ]).element)
        return query
    }

    private func slot(_ stanza: Stanza, _ payload: XMLElement, from: JID) -> RoutingFollowup? {
        let user = from.bare.description
        let request: UploadSlotRequest
        switch UploadSlotRequest.parse(payload) {
        case .success(let parsed): request = parsed
        case .failure(let error): refuse(stanza, error, user: user, cause: error.text ?? "bad request"); return nil
        }
        guard from.localpart != nil, from.domainpart == serverDomain else {
            refuse(stanza, StanzaError(.forbidden, text: "Only this server's accounts upload files."), user: user, cause: "not an account")
            return nil
        }
        let chat = directory()
        do {
            try chat.checkMayUpload(user: user, size: request.size)
        } catch where error.kind == .limitReached {
            var refusal = StanzaError(.notAcceptable, type: .modify, text: error.message)
            var tooLarge = XMLElement("file-too-large", namespace: UploadSlotRequest.ns)
            var max = XMLElement("max-file-size", namespace: UploadSlotRequest.ns)
            max.append(text: "\(chat.maxFileBytes)")
            tooLarge.append(max)
            refusal.applicationCondition = tooLarge
            refuse(stanza, refusal, user: user, cause: "file too large")
            return nil
        } catch {
            refuse(stanza, StanzaError(.notAllowed, text: error.message), user: user, cause: "policy")
            return nil
        }
        guard accepts(request.contentType) else {
            refuse(stanza, StanzaError(.notAcceptable, type: .modify, text: "Files of type \(request.contentType) are not accepted."),
                   user: user, cause: "content type \(request.contentType)")
            return nil
        }
        guard takeSlotToken(user) else {
            refuse(stanza, StanzaError(.resourceConstraint, type: .wait, text: "Too many upload requests; try again in a minute."),
                   user: user, cause: "rate")
            return nil
        }
        let now = Date()
        let expires = Int64((now.timeIntervalSince1970 + configuration.slotLifetime).rounded(.up))
        let record = FileRecord(id: UploadedFiles.newSlotID(), uploader: user, name: request.filename, size: request.size,
                                contentType: request.contentType, created: now, expires: Date(timeIntervalSince1970: Double(expires)))
        let (store, configuration, router, logger) = (store, configuration, router, logger)
        let urls = urls(for: record)
        return {
            let outcome: FileReservation
            do {
                outcome = try await store.reserve(record, dailyQuota: configuration.dailyQuotaBytes, storageCap: configuration.storageCapBytes)
            } catch {
                logger.storageFailure("cannot record an upload slot", error, metadata: ["account": "\(user)"])
                router.bounce(stanza, StanzaError(.internalServerError, type: .wait))
                return
            }
            switch outcome {
            case .reserved:
                logger.info("upload slot", metadata: [
                    "account": "\(user)", "file": "\(record.id)", "bytes": "\(record.size)", "type": "\(record.contentType)",
                ])
                var slot = XMLElement("slot", namespace: UploadSlotRequest.ns)
                slot.append(XMLElement("put", namespace: UploadSlotRequest.ns, attributes: ["url": urls.put]))
                slot.append(XMLElement("get", namespace: UploadSlotRequest.ns, attributes: ["url": urls.get]))
                _ = router.route(stanza.resultReply(slot))
            case .overDailyQuota:
                self.refuse(stanza, StanzaError(.resourceConstraint, type: .wait, text: "Your upload quota for the last 24 hours is used up."),
                            user: user, cause: "daily quota")
            case .overStorageCap:
                self.refuse(stanza, StanzaError(.resourceConstraint, type: .wait, text: "The upload service is full."),
                            user: user, cause: "storage cap")
            }
        }
    }

    /// The GET URL and the signed PUT URL of a slot.
    func urls(for file: FileRecord) -> (put: String, get: String) {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        let name = file.name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "file"
        let get = "\(baseURL)/files/\(file.id)/\(name)"
        let token = UploadToken(slot: file.id, size: file.size, contentType: file.contentType,
                                expires: Int64(file.expires.timeIntervalSince1970)).encoded(key: tokenKey)
        return ("\(get)?token=\(token)", get)
    }

    /// The denied list wins; an empty allowed list allows the rest. `type/*` covers a family.
    func accepts(_ type: String) -> Bool {
        func matches(_ pattern: String) -> Bool {
            pattern == type || (pattern.hasSuffix("/*") && type.hasPrefix(pattern.dropLast()))
        }
        if configuration.deniedTypes.contains(where: matches) { return false }
        return configuration.allowedTypes.isEmpty || configuration.allowedTypes.contains(where: matches)
    }

    private func takeSlotToken(_ user: String) -> Bool {
        let now = NIODeadline.now()
        return rates.withLock { rates in
            if rates[user] == nil, rates.count >= Self.maxTrackedUploaders {
                rates = rates.filter { !$0.value.isFull(now: now) }
                guard rates.count < Self.maxTrackedUploaders else { return false }
            }
            var bucket = rates[user] ?? TokenBucket(ratePerSecond: Double(configuration.slotsPerMinute) / 60, burst: configuration.slotBurst)
            let taken = bucket.take(now: now)
            rates[user] = bucket
            return taken
        }
    }

    private func refuse(_ stanza: Stanza, _ error: StanzaError, user: String, cause: String) {
        logger.info("upload slot refused", metadata: ["account": "\(user)", "cause": "\(cause)"])
        router.bounce(stanza, error)
    }

    private func answer(_ stanza: Stanza, _ payload: XMLElement?) {
        _ = router.route(stanza.resultReply(payload))
    }
}
