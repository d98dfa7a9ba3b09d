import XMPPCore

/// One end of a link as its owner sees it: which node is at the other end, where, and who dialled.
public struct NodeLinkPeer: Sendable, Hashable {
    public enum Direction: String, Sendable {
        /// This node dialled the peer: frames go out on it.
        case outbound
        /// The peer dialled this node: its frames come in on it.
        case inbound
    }

    public let node: String
    public let address: String
    public let direction: Direction
}

/// Where frames that arrive on node links go: the router plugs in here. Called off the
/// caller's thread of choice (on the link's event loop), in the order frames arrived.
public protocol NodeLinkDelegate: AnyObject, Sendable {
    func link(_ peer: NodeLinkPeer, received route: RoutedStanza)
    func link(_ peer: NodeLinkPeer, received fanout: FanoutStanza)
    /// A session on the peer ended.
    func link(_ peer: NodeLinkPeer, sessionEnded ended: EndedSession)
    /// A session on the peer bound or changed its presence.
    func link(_ peer: NodeLinkPeer, session: SessionState)
    /// A step of a client's session moving between nodes (XEP-0198 resumption elsewhere).
    func link(_ peer: NodeLinkPeer, resumption: ResumptionFrame)
    /// A component connected to the peer or left it.
    func link(_ peer: NodeLinkPeer, component: ComponentPresence)
    /// Both ends proved themselves: frames flow from now on.
    func linkUp(_ peer: NodeLinkPeer)
    /// A link that was up closed.
    func linkDown(_ peer: NodeLinkPeer)
}

extension NodeLinkDelegate {
    /// Hands `frame` to the method for its kind.
    func link(_ peer: NodeLinkPeer, received frame: NodeLinkFrame) {
        switch frame {
        case .route(let route): link(peer, received: route)
        case .fanout(let fanout): link(peer, received: fanout)
        case .ended(let ended): link(peer, sessionEnded: ended)
        case .session(let state): link(peer, session: state)
        case .resumption(let resumption): link(peer, resumption: resumption)
        case .component(let component): link(peer, component: component)
        }
    }
}
