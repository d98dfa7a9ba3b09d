import Synchronization
import XMPPCore

/// A connected external component (XEP-0114).
final class ComponentLink: Sendable {
    let domain: String
    let stream: XMPPStream

    init(domain: String, stream: XMPPStream) {
        self.domain = domain
        self.stream = stream
    }

    /// Delivers a stanza in the component's namespace (jabber:component:accept).
    func deliver(_ element: XMLElement) {
        stream.deliver(element.movingNamespace(from: NS.client, to: NS.component))
    }
}

/// The configured component domains and those currently connected.
final class ComponentRegistry: Sendable {
    let secrets: [String: String]
    private let links = Mutex<[String: ComponentLink]>([:])

    init(secrets: [String: String]) {
        self.secrets = secrets
    }

    /// The configured component domain serving `domain` (itself or a parent of it).
    func componentDomain(serving domain: String) -> String? {
        if secrets[domain] != nil { return domain }
        return secrets.keys.first { domain.hasSuffix("." + $0) }
    }

    func link(for domain: String) -> ComponentLink? {
        guard let owner = componentDomain(serving: domain) else { return nil }
        return links.withLock { $0[owner] }
    }

    /// Registers a link; false when the domain already has one.
    func register(_ link: ComponentLink) -> Bool {
        links.withLock { links in
            guard links[link.domain] == nil else { return false }
            links[link.domain] = link
            return true
        }
    }

    func unregister(_ link: ComponentLink) {
        links.withLock { links in
            if links[link.domain] === link { links[link.domain] = nil }
        }
    }

    var connected: [ComponentLink] { links.withLock { Array($0.values) } }
}

extension XMLElement {
    /// The same element with every `from` namespace replaced by `to`: stanzas keep their
    /// meaning when they cross between jabber:client and jabber:component:accept streams.
    func movingNamespace(from: String, to: String) -> XMLElement {
        var copy = self
        if copy.namespace == from { copy.namespace = to }
        copy.children = copy.children.map { node in
            if case .element(let child) = node { return .element(child.movingNamespace(from: from, to: to)) }
            return node
        }
        return copy
    }
}
