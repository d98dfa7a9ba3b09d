import SalonSecurity
import Synchronization
import XMPPCore

/// XEP-0115 entity capabilities: what a client's `<c/>` verification string stands for, asked
/// once by disco#info and cached when the answer hashes to it (§5.4). PEP reads `+notify`
/// interest from it (XEP-0163 §4.2).
final class CapsCache: Sendable {
    struct Capabilities: Hashable, Sendable {
        let node: String
        let ver: String
        let hash: HashAlgorithm
    }

    /// Verification strings remembered; beyond it an arbitrary one is forgotten.
    static let maxEntries = 10_000
    /// Features kept for one verification string.
    static let maxFeatures = 1000
    /// Unanswered queries to one entity: a client that announces new strings faster than it
    /// answers gets no more, and cannot use up the server's queries.
    static let maxQueriesPerEntity = 4

    private struct State {
        var known: [Capabilities: Set<String>] = [:]
        var waiting: [Capabilities: [@Sendable (Set<String>?) -> Void]] = [:]
        var asking: [JID: Int] = [:]
    }

    private let state = Mutex(State())
    private let queries: ServerQueries
    private let domain: String
    private let route: @Sendable (XMLElement) -> Void

    init(queries: ServerQueries, domain: String, route: @escaping @Sendable (XMLElement) -> Void) {
        self.queries = queries
        self.domain = domain
        self.route = route
    }

    /// The capabilities a presence announces (XEP-0115 §1.2), if in a hash this server knows.
    static func capabilities(in presence: XMLElement?) -> Capabilities? {
        guard let c = presence?.child("c", namespace: Caps.ns), let node = c[attribute: "node"], let ver = c[attribute: "ver"],
              let hash = c[attribute: "hash"], !ver.isEmpty, ver.utf8.count <= 256, node.utf8.count <= 1024 else { return nil }
        let algorithm: HashAlgorithm
        switch hash.lowercased() {
        case "sha-1": algorithm = .sha1
        case "sha-256": algorithm = .sha256
        default: return nil
        }
        return Capabilities(node: node, ver: ver, hash: algorithm)
    }

    /// The features behind `capabilities`, if known already.
    func features(_ capabilities: Capabilities) -> Set<String>? {
        state.withLock { $0.known[capabilities] }
    }

    /// The features behind `capabilities`, asking `entity` (once for all who wait) when unknown;
    /// nil when it does not answer.
    func resolve(_ capabilities: Capabilities, of entity: JID, completion: @escaping @Sendable (Set<String>?) -> Void) {
        enum Next { case known(Set<String>?), wait, ask }
        let next: Next = state.withLock { state in
            if let features = state.known[capabilities] { return .known(features) }
            if state.waiting[capabilities] != nil {
                state.waiting[capabilities]!.append(completion)
                return .wait
            }
            guard state.asking[entity, default: 0] < Self.maxQueriesPerEntity else { return .known(nil) }
            state.asking[entity, default: 0] += 1
            state.waiting[capabilities] = [completion]
            return .ask
        }
        switch next {
        case .known(let features): completion(features)
        case .wait: break
        case .ask:
            let query = XMLElement("query", namespace: NS.discoInfo, attributes: ["node": "\(capabilities.node)#\(capabilities.ver)"])
            let iq = XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "from": domain, "to": entity.description],
                                children: [.element(query)])
            queries.send(iq, route: route) { [self] reply in answered(capabilities, by: entity, reply: reply) }
        }
    }

    private func answered(_ capabilities: Capabilities, by entity: JID, reply: XMLElement?) {
        let info = reply?.child("query", namespace: NS.discoInfo)
        let features = info.map { Set($0.children("feature", namespace: NS.discoInfo).prefix(Self.maxFeatures).compactMap { $0[attribute: "var"] }) }
        let verified = info.map { Self.verificationHash($0, capabilities.hash) == capabilities.ver } ?? false
        let waiting = state.withLock { state in
            state.asking[entity, default: 1] -= 1
            if state.asking[entity] == 0 { state.asking[entity] = nil }
            if verified, let features {
                if state.known.count >= Self.maxEntries, let any = state.known.keys.first { state.known[any] = nil }
                state.known[capabilities] = features
            }
            return state.waiting.removeValue(forKey: capabilities) ?? []
        }
        // An answer that does not hash to the string is used for those who asked, not cached.
        for completion in waiting { completion(features) }
    }

    /// The verification string of a disco#info answer, hashed and base64-encoded (§5.1).
    static func verificationHash(_ info: XMLElement, _ hash: HashAlgorithm) -> String {
        var s = ""
        let identities = info.children("identity", namespace: NS.discoInfo).map { identity in
            ["category", "type"].map { identity[attribute: $0] ?? "" }.joined(separator: "/")
                + "/" + (identity.attribute("lang", namespace: NS.xml) ?? "") + "/" + (identity[attribute: "name"] ?? "")
        }
        for identity in identities.sorted(by: bytewise) { s += identity + "<" }
        for feature in info.children("feature", namespace: NS.discoInfo).compactMap({ $0[attribute: "var"] }).sorted(by: bytewise) {
            s += feature + "<"
        }
        let forms = info.children("x", namespace: DataForm.namespace).compactMap(DataForm.init).filter { $0.formType != nil }
        for form in forms.sorted(by: { bytewise($0.formType!, $1.formType!) }) {
            s += form.formType! + "<"
            let fields = form.fields.filter { $0.variable != nil && $0.variable != "FORM_TYPE" }
            for field in fields.sorted(by: { bytewise($0.variable!, $1.variable!) }) {
                s += field.variable! + "<"
                for value in field.values.sorted(by: bytewise) { s += value + "<" }
            }
        }
        return Base64.encode(Crypto.hash(hash, Array(s.utf8)))
    }

    /// "i;octet" order (RFC 4790), which XEP-0115 sorts by.
    private static func bytewise(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
