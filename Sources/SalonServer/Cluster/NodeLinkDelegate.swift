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
    /// Both ends proved themselves: frames flow from now on.
    func linkUp(_ peer: NodeLinkPeer)
    /// A link that was up closed.
    func linkDown(_ peer: NodeLinkPeer)
}
