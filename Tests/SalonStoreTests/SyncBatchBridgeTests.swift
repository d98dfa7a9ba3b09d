import Foundation
import Synchronization
@testable import SalonStore
import Testing

@Suite("A synchronous source read by async code")
struct SyncBatchBridgeTests {
    struct Broken: Error, Equatable {}

    /// What the producer's thread tells the test.
    final class Probe: Sendable {
        let produced = Atomic<Int>(0)
        let released = Atomic<Bool>(false)
        let stoppedWith = Mutex<String?>(nil)
    }

    @Test("Every element arrives in order, in batches no larger than asked")
    func inOrder() async throws {
        var seen: [Int] = []
        var largest = 0
        try await SyncBatchBridge.run(batchSize: 7, produce: { emit in for index in 0..<100 { try emit(index) } }, consume: { batch in
            seen += batch
            largest = max(largest, batch.count)
            return .more
        })
        #expect(seen == Array(0..<100) && largest == 7)
    }

    @Test("The source's error reaches the consumer unchanged, after what came before it")
    func producerError() async throws {
        var seen: [Int] = []
        await #expect(throws: Broken()) {
            try await SyncBatchBridge.run(batchSize: 2, produce: { emit in
                for index in 0..<5 { try emit(index) }
                throw Broken()
            }, consume: { batch in
                seen += batch
                return .more
            })
        }
        #expect(seen == [0, 1, 2, 3])
    }

    @Test("A consumer that stops early releases the source, which is never more than a batch ahead")
    func consumerStops() async throws {
        let probe = Probe()
        try await SyncBatchBridge.run(batchSize: 10, produce: { emit in
            do {
                // Endless: only the consumer's stop ends it.
                while true {
                    try emit(probe.produced.add(1, ordering: .sequentiallyConsistent).newValue)
                }
            } catch {
                probe.stoppedWith.withLock { $0 = "\(error)" }
                throw error
            }
        }, consume: { batch in
            let produced = probe.produced.load(ordering: .sequentiallyConsistent)
            #expect(produced <= batch[0] + 30)
            return batch[0] >= 20 ? .stop : .more
        })
        // `run` returned, so the producer's thread has left its source, told why.
        let stoppedWith = probe.stoppedWith.withLock { $0 }
        #expect(stoppedWith == "the consumer stopped reading")
    }

    @Test("A consumer that throws releases the source and its error is the one rethrown")
    func consumerThrows() async throws {
        let probe = Probe()
        await #expect(throws: Broken()) {
            try await SyncBatchBridge.run(batchSize: 1, produce: { emit in
                do {
                    while true { try emit(0) }
                } catch {
                    probe.released.store(error is SyncBatchBridge.Stopped, ordering: .sequentiallyConsistent)
                    throw error
                }
            }, consume: { _ in throw Broken() })
        }
        let released = probe.released.load(ordering: .sequentiallyConsistent)
        #expect(released)
    }

    @Test("An empty source ends at once")
    func empty() async throws {
        var batches = 0
        try await SyncBatchBridge.run(produce: { (_: (Int) throws -> Void) in }, consume: { _ in
            batches += 1
            return .more
        })
        #expect(batches == 0)
    }
}
