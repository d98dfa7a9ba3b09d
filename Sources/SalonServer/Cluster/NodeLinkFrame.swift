import XMPPCore

/// The namespace of a node link's stream and of its frames.
public enum NodeLinkNamespace {
    public static let cluster = "urn:salon:cluster:0"
}

/// A stanza carried to one address on another node: 1:1 traffic, or a stanza on its way to
/// the owner of its room.
public struct RoutedStanza: Sendable, Hashable {
    public var to: JID
    public var from: JID
    /// The stanza, in `jabber:client`.
    public var stanza: XMLElement
    /// The sending node did all of the routing (screening, archiving): the receiver only hands
    /// the stanza to the session `to` names.
    public var deliverOnly: Bool
    /// With `deliverOnly`: hand it over only if the session's entity capabilities show this
    /// feature (a PEP notification's `node+notify`, XEP-0163), which only its own node knows.
    public var interest: String?

    public init(to: JID, from: JID, stanza: XMLElement, deliverOnly: Bool = false, interest: String? = nil) {
        self.to = to
        self.from = from
        self.stanza = stanza
        self.deliverOnly = deliverOnly
        self.interest = interest
    }
}

/// Where a session of the sending node stands, for the other nodes' session directories: bound,
/// or available with its last presence. A greater `sequence` replaces a smaller one.
public struct SessionState: Sendable, Hashable {
    public var jid: JID
    /// The sending node's name for the session in fan-outs.
    public var serial: UInt64
    public var sequence: UInt64
    /// The session's last available presence, in `jabber:client`; nil while it is unavailable.
    public var presence: XMLElement?
    /// It enabled message carbons (XEP-0280).
    public var carbons: Bool

    public init(jid: JID, serial: UInt64, sequence: UInt64, presence: XMLElement?, carbons: Bool = false) {
        self.jid = jid
        self.serial = serial
        self.sequence = sequence
        self.presence = presence
        self.carbons = carbons
    }
}

/// A session of the sending node ended: the receivers forget it, unless the sender has
/// announced another session of that JID since (another serial).
public struct EndedSession: Sendable, Hashable {
    public var jid: JID
    public var serial: UInt64

    public init(jid: JID, serial: UInt64) {
        self.jid = jid
        self.serial = serial
    }
}

/// A component (XEP-0114) connected to the sending node, or went away from it: the others
/// route what is addressed to its domain there.
public struct ComponentPresence: Sendable, Hashable {
    /// The configured component domain.
    public var domain: String
    public var connected: Bool

    public init(domain: String, connected: Bool) {
        self.domain = domain
        self.connected = connected
    }
}

/// One copy of a stanza for the recipients on one node: the owner of a room sends one per
/// destination node, and that node delivers it to each of the listed local sessions, named by
/// the serials that node announced them with (`SessionState.serial`).
public struct FanoutStanza: Sendable, Hashable {
    public var recipients: [UInt64]
    /// The stanza, in `jabber:client`.
    public var stanza: XMLElement

    public init(recipients: [UInt64], stanza: XMLElement) {
        self.recipients = recipients
        self.stanza = stanza
    }
}

extension FanoutStanza {
    /// The frame `NodeLinkFrame.fanout` serialises for these recipients and this stanza, made from
    /// the bytes the room already serialised for its own sessions (`spliced`: unaddressed, for a
    /// `jabber:client` stream) with the stanza's namespace spliced in where its address would go.
    static func frame(recipients: [UInt64], spliced: SplicedStanza) -> [UInt8] {
        let to = SerialList.text(recipients)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(spliced.head.count + spliced.tail.count + to.utf8.count + 64)
        bytes.append(contentsOf: "<fanout to='".utf8)
        bytes.append(contentsOf: to.utf8)
        bytes.append(contentsOf: "'>".utf8)
        bytes.append(contentsOf: spliced.head)
        bytes.append(contentsOf: " xmlns='\(NS.client)'".utf8)
        bytes.append(contentsOf: spliced.tail)
        bytes.append(contentsOf: "</fanout>".utf8)
        return bytes
    }
}

/// What a node link carries once both ends have proved themselves.
public enum NodeLinkFrame: Sendable, Hashable {
    case route(RoutedStanza)
    case fanout(FanoutStanza)
    /// A session on the sending node ended: the receiver forgets where it was.
    case ended(EndedSession)
    /// A session on the sending node bound or changed its presence.
    case session(SessionState)
    /// A client's XEP-0198 session moving between nodes.
    case resumption(ResumptionFrame)
    /// A component connected to the sending node or left it.
    case component(ComponentPresence)

    /// The frame as sent, in the cluster namespace with its stanza in `jabber:client`.
    var element: XMLElement {
        switch self {
        case .route(let route):
            XMLElement("route", namespace: NodeLinkNamespace.cluster,
                       attributes: ["to": route.to.description, "from": route.from.description]
                           .merging(route.deliverOnly ? ["deliver-only": "true"] : [:]) { $1 }
                           .merging(route.interest.map { ["interest": $0] } ?? [:]) { $1 },
                       children: [.element(route.stanza)])
        case .fanout(let fanout):
            XMLElement("fanout", namespace: NodeLinkNamespace.cluster,
                       attributes: ["to": SerialList.text(fanout.recipients)],
                       children: [.element(fanout.stanza)])
        case .ended(let ended):
            XMLElement("ended", namespace: NodeLinkNamespace.cluster, attributes: ["jid": ended.jid.description, "serial": String(ended.serial)])
        case .session(let state):
            XMLElement("session", namespace: NodeLinkNamespace.cluster,
                       attributes: ["jid": state.jid.description, "serial": String(state.serial), "seq": String(state.sequence)]
                           .merging(state.carbons ? ["carbons": "true"] : [:]) { $1 },
                       children: state.presence.map { [.element($0)] } ?? [])
        case .resumption(let resumption):
            resumption.element
        case .component(let component):
            XMLElement("component", namespace: NodeLinkNamespace.cluster,
                       attributes: ["domain": component.domain, "connected": component.connected ? "true" : "false"])
        }
    }

    /// Reads a frame; throws, saying what is wrong, for anything else.
    init(_ element: XMLElement) throws(XMLStreamError) {
        guard element.namespace == NodeLinkNamespace.cluster else {
            throw XMLStreamError(.invalidNamespace, text: "A node link frame is in \(NodeLinkNamespace.cluster).")
        }
        switch element.name {
        case "route":
            guard let to = element[attribute: "to"].flatMap({ try? JID($0) }),
                  let from = element[attribute: "from"].flatMap({ try? JID($0) }) else {
                throw XMLStreamError(.improperAddressing, text: "A route frame needs valid 'to' and 'from' JIDs.")
            }
            self = .route(RoutedStanza(to: to, from: from, stanza: try Self.stanza(in: element, besides: []),
                                       deliverOnly: element[attribute: "deliver-only"] == "true", interest: element[attribute: "interest"]))
        case "fanout":
            guard let recipients = SerialList.serials(element[attribute: "to"] ?? "") else {
                throw XMLStreamError(.improperAddressing, text: "A fanout frame's 'to' lists session serials.")
            }
            guard !recipients.isEmpty else {
                throw XMLStreamError(.improperAddressing, text: "A fanout frame names at least one recipient.")
            }
            self = .fanout(FanoutStanza(recipients: recipients, stanza: try Self.stanza(in: element, besides: [])))
        case "ended":
            guard let jid = element[attribute: "jid"].flatMap({ try? JID($0) }), jid.resourcepart != nil,
                  let serial = element[attribute: "serial"].flatMap({ UInt64($0) }) else {
                throw XMLStreamError(.improperAddressing, text: "An ended frame names a full JID and its serial.")
            }
            self = .ended(EndedSession(jid: jid, serial: serial))
        case "session":
            guard let jid = element[attribute: "jid"].flatMap({ try? JID($0) }), jid.resourcepart != nil,
                  let serial = element[attribute: "serial"].flatMap({ UInt64($0) }),
                  let sequence = element[attribute: "seq"].flatMap({ UInt64($0) }) else {
                throw XMLStreamError(.improperAddressing, text: "A session frame names a full JID, its serial and its sequence number.")
            }
            let presence = element.elements.isEmpty ? nil : try Self.stanza(in: element, besides: [])
            guard presence == nil || presence?.name == "presence" else {
                throw XMLStreamError(.badFormat, text: "A session frame holds at most the session's presence.")
            }
            self = .session(SessionState(jid: jid, serial: serial, sequence: sequence, presence: presence,
                                         carbons: element[attribute: "carbons"] == "true"))
        case "component":
            guard let domain = element[attribute: "domain"], (try? JID(domain))?.localpart == nil,
                  let connected = ["true": true, "false": false][element[attribute: "connected"] ?? ""] else {
                throw XMLStreamError(.improperAddressing, text: "A component frame names a domain and whether it is connected.")
            }
            self = .component(ComponentPresence(domain: domain, connected: connected))
        case let name where ResumptionFrame.names.contains(name):
            self = .resumption(try ResumptionFrame(element))
        default:
            throw XMLStreamError(.unsupportedStanzaType, text: "<\(element.name)/> is not a node link frame.")
        }
    }

    /// The one `jabber:client` stanza a frame wraps, next to its own `besides` markers.
    private static func stanza(in frame: XMLElement, besides markers: Set<String>) throws(XMLStreamError) -> XMLElement {
        let others = frame.elements.filter { !($0.namespace == NodeLinkNamespace.cluster && markers.contains($0.name)) }
        guard others.count == 1, let stanza = others.first, stanza.namespace == NS.client, Stanza(stanza) != nil else {
            throw XMLStreamError(.badFormat, text: "A <\(frame.name)/> frame wraps exactly one jabber:client stanza.")
        }
        return stanza
    }
}

/// A fanout frame's recipients as its `to` attribute lists them: decimal serials separated by
/// spaces. Written and read byte by byte, without a string per serial: every frame carries one.
enum SerialList {
    static func text(_ serials: [UInt64]) -> String {
        String(unsafeUninitializedCapacity: serials.count * 21) { buffer in
            var end = 0
            for (position, serial) in serials.enumerated() {
                if position > 0 {
                    buffer[end] = UInt8(ascii: " ")
                    end += 1
                }
                // Digits backwards, then reversed in place.
                let start = end
                var rest = serial
                repeat {
                    buffer[end] = UInt8(ascii: "0") + UInt8(rest % 10)
                    end += 1
                    rest /= 10
                } while rest > 0
                buffer[start..<end].reverse()
            }
            return end
        }
    }

    /// The serials `text` lists; nil unless it is decimal numbers separated by single spaces.
    static func serials(_ text: String) -> [UInt64]? {
        var text = text
        return text.withUTF8 { bytes -> [UInt64]? in
            guard !bytes.isEmpty else { return [] }
            var serials: [UInt64] = []
            serials.reserveCapacity(bytes.count / 8 + 1)
            var value: UInt64 = 0
            var digits = 0
            for byte in bytes {
                if byte == UInt8(ascii: " ") {
                    guard digits > 0 else { return nil }
                    serials.append(value)
                    (value, digits) = (0, 0)
                    continue
                }
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let (times10, overflowA) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflowB) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !overflowA, !overflowB else { return nil }
                value = sum
                digits += 1
            }
            guard digits > 0 else { return nil }
            serials.append(value)
            return serials
        }
    }
}
