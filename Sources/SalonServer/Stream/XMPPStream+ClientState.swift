import XMPPCore

/// Client state indication (XEP-0352): what an inactive client's stream holds back, and when
/// it goes out.
extension XMPPStream {
    /// `<active/>` or `<inactive/>` from the client. Becoming active sends what was held,
    /// in one write, before anything delivered after it.
    func setClientInactive(_ inactive: Bool, limits: ClientStateLimits) {
        eventLoop.assertInEventLoop()
        let state = clientState ?? ClientState(limits: limits)
        clientState = state
        state.setInactive(inactive)
        if !inactive { sendHeld(state, reason: "active") }
    }

    /// Whether `bytes` (the serialised `element`) waits for the client to become active; a
    /// full queue is sent at once rather than dropped.
    func held(_ element: XMLElement, _ bytes: @autoclosure () -> [UInt8], in state: ClientState) -> Bool {
        switch state.disposition(of: element) {
        case .now: return false
        case .hold: state.hold(bytes())
        case .holdLatest(let sender): state.hold(bytes(), presenceOf: sender)
        }
        if state.isFull { sendHeld(state, reason: "full") }
        return true
    }

    private func sendHeld(_ state: ClientState, reason: String) {
        guard state.heldCount > 0 else { return }
        let stanzas = state.takeHeld()
        let bytes = Array(stanzas.joined())
        logger.debug("client state: held stanzas sent", metadata: ["stanzas": "\(stanzas.count)", "bytes": "\(bytes.count)", "reason": "\(reason)"])
        guard !isClosing, admits(bytes.count) else { return }
        write(bytes: bytes, flush: true)
        if streamManagement != nil { stanzas.forEach { count($0, nil) } }
    }

    /// Puts what an inactive client's stream held back into `state`'s waiting queue: its
    /// session waits for its client, or moves to another stream.
    func queueHeldStanzas(in state: StreamManagement) {
        for bytes in clientState?.takeHeld() ?? [] { _ = state.queue(.init(bytes: bytes, element: nil)) }
    }
}
