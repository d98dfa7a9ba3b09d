import XMPPCore

/// A client's XEP-0198 session moving from the node it was on to the node the client
/// reconnected to (issue #21). The new node asks every peer; the one holding the session
/// detached sends `moving` (its address and presence: the new node binds it, and stanzas for
/// it wait there), then `moved` (its stream-management state, after which the old node
/// forwards whatever still reaches it); every other peer sends `refused`.
public enum ResumptionFrame: Sendable, Hashable {
    case request(ResumeRequest)
    case moving(MovingSession)
    case moved(MovedStreamState)
    case refused(ResumeRefusal)
}

/// A client asked the sending node to resume a session (`id`) that is not there.
public struct ResumeRequest: Sendable, Hashable {
    /// The sender's number for this request, in every answer.
    public var request: UInt64
    public var id: String
    /// The account the client authenticated as: another account's session is not found.
    public var account: JID
    /// What the sender will name the session in fan-outs.
    public var serial: UInt64

    public init(request: UInt64, id: String, account: JID, serial: UInt64) {
        self.request = request
        self.id = id
        self.account = account
        self.serial = serial
    }
}

/// The session asked for, on its way: where it is bound and how it stands for presence.
public struct MovingSession: Sendable, Hashable {
    public var request: UInt64
    public var jid: JID
    /// Its last available presence, in `jabber:client`; nil while unavailable.
    public var presence: XMLElement?
    public var priority: Int
    /// Where it sent directed presence (rooms included).
    public var directedTo: [JID]
    public var carbons: Bool
    public var blocklistPushes: Bool

    public init(request: UInt64, jid: JID, presence: XMLElement?, priority: Int, directedTo: [JID], carbons: Bool, blocklistPushes: Bool) {
        self.request = request
        self.jid = jid
        self.presence = presence
        self.priority = priority
        self.directedTo = directedTo
        self.carbons = carbons
        self.blocklistPushes = blocklistPushes
    }
}

/// The moving session's XEP-0198 counters and what its client has not acknowledged or not yet
/// received, oldest first.
public struct MovedStreamState: Sendable, Hashable {
    public struct Queued: Sendable, Hashable {
        /// The stanza as written (or to be written) to the client.
        public var bytes: [UInt8]
        /// The stanza itself, when it needs an answer should the client never acknowledge it.
        public var element: XMLElement?

        public init(bytes: [UInt8], element: XMLElement?) {
            self.bytes = bytes
            self.element = element
        }
    }

    public var request: UInt64
    public var handled: UInt32
    public var sent: UInt32
    public var acked: UInt32
    public var resumeTimeout: Int
    public var queued: [Queued]

    public init(request: UInt64, handled: UInt32, sent: UInt32, acked: UInt32, resumeTimeout: Int, queued: [Queued]) {
        self.request = request
        self.handled = handled
        self.sent = sent
        self.acked = acked
        self.resumeTimeout = resumeTimeout
        self.queued = queued
    }
}

/// The session is not on the sending node; `h` when it ended there (what it had handled).
public struct ResumeRefusal: Sendable, Hashable {
    public var request: UInt64
    public var h: UInt32?

    public init(request: UInt64, h: UInt32?) {
        self.request = request
        self.h = h
    }
}

extension ResumptionFrame {
    static let names: Set<String> = ["resume", "moving", "moved", "refused"]

    var element: XMLElement {
        let ns = NodeLinkNamespace.cluster
        switch self {
        case .request(let request):
            return XMLElement("resume", namespace: ns, attributes: [
                "request": String(request.request), "id": request.id, "account": request.account.description,
                "serial": String(request.serial),
            ])
        case .moving(let moving):
            var attributes = ["request": String(moving.request), "jid": moving.jid.description, "priority": String(moving.priority)]
            if moving.carbons { attributes["carbons"] = "true" }
            if moving.blocklistPushes { attributes["blocklist-pushes"] = "true" }
            var element = XMLElement("moving", namespace: ns, attributes: attributes)
            if let presence = moving.presence { element.append(presence) }
            for target in moving.directedTo {
                element.append(XMLElement("directed", namespace: ns, attributes: ["to": target.description]))
            }
            return element
        case .moved(let moved):
            var element = XMLElement("moved", namespace: ns, attributes: [
                "request": String(moved.request), "handled": String(moved.handled), "sent": String(moved.sent),
                "acked": String(moved.acked), "timeout": String(moved.resumeTimeout),
            ])
            for entry in moved.queued {
                let content: XMLNode = entry.element.map { .element($0) } ?? .text(String(decoding: entry.bytes, as: UTF8.self))
                element.append(XMLElement("queued", namespace: ns, children: [content]))
            }
            return element
        case .refused(let refusal):
            return XMLElement("refused", namespace: ns, attributes: ["request": String(refusal.request)]
                .merging(refusal.h.map { ["h": String($0)] } ?? [:]) { $1 })
        }
    }

    /// Reads a resumption frame (`element.name` is one of `names`); throws, saying what is wrong.
    init(_ element: XMLElement) throws(XMLStreamError) {
        guard let request = element[attribute: "request"].flatMap({ UInt64($0) }) else {
            throw XMLStreamError(.badFormat, text: "A <\(element.name)/> frame carries its request number.")
        }
        let ns = NodeLinkNamespace.cluster
        switch element.name {
        case "resume":
            guard let id = element[attribute: "id"], !id.isEmpty,
                  let account = element[attribute: "account"].flatMap({ try? JID($0) }), account.resourcepart == nil,
                  let serial = element[attribute: "serial"].flatMap({ UInt64($0) }) else {
                throw XMLStreamError(.badFormat, text: "A resume frame names the session id, a bare account JID and a serial.")
            }
            self = .request(ResumeRequest(request: request, id: id, account: account, serial: serial))
        case "moving":
            guard let jid = element[attribute: "jid"].flatMap({ try? JID($0) }), jid.resourcepart != nil,
                  let priority = element[attribute: "priority"].flatMap({ Int($0) }) else {
                throw XMLStreamError(.badFormat, text: "A moving frame names a full JID and a priority.")
            }
            let presences = element.elements.filter { $0.namespace == NS.client }
            guard presences.count <= 1, presences.allSatisfy({ $0.name == "presence" }) else {
                throw XMLStreamError(.badFormat, text: "A moving frame holds at most the session's presence.")
            }
            var directedTo: [JID] = []
            for directed in element.elements where directed.namespace == ns && directed.name == "directed" {
                guard let target = directed[attribute: "to"].flatMap({ try? JID($0) }) else {
                    throw XMLStreamError(.badFormat, text: "A <directed/> names a JID.")
                }
                directedTo.append(target)
            }
            self = .moving(MovingSession(request: request, jid: jid, presence: presences.first, priority: priority, directedTo: directedTo,
                                         carbons: element[attribute: "carbons"] == "true",
                                         blocklistPushes: element[attribute: "blocklist-pushes"] == "true"))
        case "moved":
            guard let handled = element[attribute: "handled"].flatMap({ UInt32($0) }),
                  let sent = element[attribute: "sent"].flatMap({ UInt32($0) }),
                  let acked = element[attribute: "acked"].flatMap({ UInt32($0) }),
                  let timeout = element[attribute: "timeout"].flatMap({ Int($0) }), timeout > 0 else {
                throw XMLStreamError(.badFormat, text: "A moved frame carries handled, sent, acked and timeout.")
            }
            var queued: [MovedStreamState.Queued] = []
            for entry in element.elements where entry.namespace == ns && entry.name == "queued" {
                if let stanza = entry.elements.first {
                    guard stanza.namespace == NS.client, Stanza(stanza) != nil else {
                        throw XMLStreamError(.badFormat, text: "A <queued/> holds one jabber:client stanza or its text.")
                    }
                    var bytes: [UInt8] = []
                    stanza.serialize(into: &bytes, parentNamespace: NS.client)
                    queued.append(.init(bytes: bytes, element: stanza))
                } else {
                    queued.append(.init(bytes: Array(entry.text.utf8), element: nil))
                }
            }
            self = .moved(MovedStreamState(request: request, handled: handled, sent: sent, acked: acked, resumeTimeout: timeout,
                                           queued: queued))
        default:
            self = .refused(ResumeRefusal(request: request, h: element[attribute: "h"].flatMap { UInt32($0) }))
        }
    }
}
