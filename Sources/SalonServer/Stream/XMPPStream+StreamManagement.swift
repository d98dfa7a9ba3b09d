import XMPPCore

/// XEP-0198 on the stream: counting what is written, asking for acks, keeping what a detached
/// session is sent, and writing a resumed session's backlog. All on the stream's loop.
extension XMPPStream {
    /// A stanza for a session whose client is away (or whose resumption is being attached):
    /// kept, not written. A detached session over its bound is ended by its owner.
    func keepForLater(_ element: XMLElement, in state: StreamManagement) {
        var element = element
        // The client shows when a message arrived, not when it was resumed (XEP-0203).
        if element.name == "message", element.child("body", namespace: NS.client) != nil,
           !element.children("delay", namespace: NS.delay).contains(where: { $0[attribute: "from"] == servedDomain }) {
            element.append(XMLElement("delay", namespace: NS.delay, attributes: ["from": servedDomain, "stamp": Timestamp.now()]))
        }
        var bytes: [UInt8] = []
        element.serialize(into: &bytes, parentNamespace: contentNamespace)
        _ = state.queue(.init(bytes: bytes, element: element))
    }

    func keepForLater(_ bytes: [UInt8], in state: StreamManagement) {
        _ = state.queue(.init(bytes: bytes, element: nil))
    }

    /// A stanza was written: it is counted and kept until acknowledged. Past the bound the
    /// stream is closed; its owner then handles what was never acknowledged.
    func count(_ bytes: [UInt8], _ element: XMLElement?) {
        guard let state = streamManagement else { return }
        guard state.wrote(.init(bytes: bytes, element: element)) else {
            logger.notice("stream management: unacknowledged stanzas over the limit",
                          metadata: ["unacked": "\(state.unacked.count)", "limit": "\(state.limits.maxStanzas)"])
            metrics?.streamManagementOverflows.increment()
            return fail(.policyViolation, text: "Too many unacknowledged stanzas.")
        }
        requestAck(state)
    }

    /// One `<r/>` at the end of the turn in which stanzas were written (a burst asks once), and
    /// none while one is unanswered.
    private func requestAck(_ state: StreamManagement) {
        guard !state.requestOutstanding else { return }
        state.requestOutstanding = true
        // On the stream's loop (as every caller is): the state never leaves it.
        eventLoop.assumeIsolated().execute { [self] in
            guard !isClosing, streamManagement === state, !state.isQueueing else { return }
            send(XMLElement("r", namespace: StreamManagement.ns))
        }
    }

    /// `<a h='…'/>` from the client.
    func acknowledged(_ h: UInt32) -> StreamManagement.Acknowledgement? {
        guard let state = streamManagement else { return nil }
        state.requestOutstanding = false
        return state.acknowledge(h)
    }

    /// Fails the stream as XEP-0198 §5 asks when the client acknowledges more than it was sent.
    func failHandledCountTooHigh(h: UInt32, sent: UInt32) {
        let detail = XMLElement("handled-count-too-high", namespace: StreamManagement.ns,
                                attributes: ["h": "\(h)", "send-count": "\(sent)"])
        fail(.undefinedCondition, text: "You acknowledged \(h) stanzas, but were sent \(sent).", detail: detail)
    }

    /// Completes a resumption on the new stream: `answer` (`<resumed/>`), then what the client
    /// did not acknowledge (already counted), then what waited meanwhile (counted now), in
    /// order, before anything delivered later. Returns (resent, delivered).
    func completeResumption(of previous: StreamManagement, answer: XMLElement) -> (resent: Int, queued: Int) {
        guard let state = streamManagement else { return (0, 0) }
        state.adopt(previous)
        send(answer)
        let resent = state.unacked.count, queued = state.waiting.count
        var bytes: [UInt8] = []
        for entry in state.unacked { bytes.append(contentsOf: entry.bytes) }
        for entry in state.waiting { bytes.append(contentsOf: entry.bytes) }
        // A stream that cannot take it fails, and its owner handles all of it as unacknowledged.
        guard !isClosing, admits(bytes.count) else { return (resent, queued) }
        let waiting = state.takeWaiting()
        write(bytes: bytes, flush: true)
        for entry in waiting { count(entry.bytes, entry.element) }
        if resent > 0, waiting.isEmpty { requestAck(state) }
        return (resent, queued)
    }
}
