@testable import SalonServer
import Testing
import XMPPCore

@Suite("Stream management state: counting, acks, bounds")
struct StreamManagementStateTests {
    private func outbound(_ text: String) -> StreamManagement.Outbound {
        .init(bytes: Array(text.utf8), element: nil)
    }

    @Test("Counters wrap at 2^32 and an ack drops what it covers, across the wrap")
    func wrap() {
        let state = StreamManagement(id: nil, resumeTimeout: 0, limits: .init(maxStanzas: 100, maxBytes: 1 << 20),
                                     counter: UInt32.max - 1)
        for text in ["a", "b", "c", "d"] { #expect(state.wrote(outbound(text))) }
        #expect(state.sent == 2)
        #expect(state.acknowledge(1) == .accepted(dropped: 3))
        #expect(state.unacked.map { String(decoding: $0.bytes, as: UTF8.self) } == ["d"])
        #expect(state.acknowledge(3) == .tooHigh(h: 3, sent: 2))
        #expect(state.acknowledge(2) == .accepted(dropped: 1))
        #expect(state.unacked.isEmpty)
    }

    @Test("The bound counts unacknowledged and waiting stanzas, and their bytes")
    func bounds() {
        let state = StreamManagement(id: "x", resumeTimeout: 1, limits: .init(maxStanzas: 3, maxBytes: 10))
        #expect(state.wrote(outbound("12")) && state.wrote(outbound("34")))
        state.startQueueing()
        #expect(state.queue(outbound("56")))
        #expect(!state.queue(outbound("78")))
        let unhandled = state.takeUnhandled()
        #expect(unhandled.count == 4 && !state.isQueueing && !state.isFull)
        #expect(!state.wrote(outbound("this is more than ten bytes")))
    }

    @Test("A resumed state takes the old counters and queues; what arrived while attaching comes last")
    func adopt() {
        let limits = StreamManagementLimits(maxStanzas: 100, maxBytes: 1 << 20)
        let old = StreamManagement(id: "x", resumeTimeout: 7, limits: limits)
        _ = old.wrote(outbound("sent"))
        old.received()
        old.startQueueing()
        _ = old.queue(outbound("waited"))
        let new = StreamManagement(id: "x", resumeTimeout: 300, limits: limits)
        new.startQueueing()
        _ = new.queue(outbound("arrived"))
        new.adopt(old)
        #expect(new.sent == 1 && new.handled == 1 && new.resumeTimeout == 7)
        #expect(new.unacked.count == 1)
        #expect(new.takeWaiting().map { String(decoding: $0.bytes, as: UTF8.self) } == ["waited", "arrived"])
        #expect(!new.isQueueing)
    }
}
