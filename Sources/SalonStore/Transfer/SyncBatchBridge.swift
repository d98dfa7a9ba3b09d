import Foundation

/// Hands what a synchronous source produces (a ZIP member read line by line, a SQLite cursor) to
/// async code in batches. The source runs on a thread of its own, so its blocking reads never
/// hold a thread of Swift's cooperative pool; it waits while a batch is still unconsumed
/// (backpressure: one batch in flight, memory stays bounded). When the consumer throws or
/// returns early, the source's next hand-off throws `SyncBatchBridge.Stopped`, so its thread
/// ends instead of waiting forever; `run` returns only after that thread has ended. An error
/// the source throws reaches the consumer unchanged.
public enum SyncBatchBridge {
    /// What a source's hand-off throws once the consumer is gone.
    public struct Stopped: Error, CustomStringConvertible {
        public var description: String { "the consumer stopped reading" }
    }

    /// What `consume` returns: whether it wants further batches.
    public enum Next: Sendable { case more, stop }

    /// Runs `produce` on its own thread (it calls `emit` for each element) and `consume` with
    /// each batch of at most `batchSize` elements, in order, until the source ends, `consume`
    /// answers `.stop`, or either throws (the first error is rethrown).
    public static func run<Element: Sendable>(
        batchSize: Int = 500,
        produce: @escaping @Sendable (_ emit: (Element) throws -> Void) throws -> Void,
        consume: ([Element]) async throws -> Next
    ) async throws {
        let channel = Channel<Element>()
        let size = max(batchSize, 1)
        let thread = Thread {
            var batch: [Element] = []
            batch.reserveCapacity(size)
            do {
                try produce { element in
                    batch.append(element)
                    if batch.count >= size {
                        try channel.hand(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { try channel.hand(batch) }
                channel.finish(nil)
            } catch {
                channel.finish(error)
            }
        }
        thread.start()
        do {
            while let batch = try await channel.next() {
                if try await consume(batch) == .stop { break }
            }
        } catch {
            channel.stop()
            await channel.producerEnded()
            throw error
        }
        channel.stop()
        await channel.producerEnded()
    }

    /// One batch slot between the producer thread and the consumer task, under a condition lock.
    private final class Channel<Element: Sendable>: @unchecked Sendable {
        private let condition = NSCondition()
        private var slot: [Element]?
        private var waiting: CheckedContinuation<[Element]?, any Error>?
        private var ended = false
        private var failure: (any Error)?
        private var stopped = false
        private var producerDone = false
        private var doneWaiter: CheckedContinuation<Void, Never>?

        /// Producer: waits while the previous batch is unconsumed; throws once the consumer stopped.
        func hand(_ batch: [Element]) throws {
            condition.lock()
            while slot != nil && !stopped { condition.wait() }
            guard !stopped else {
                condition.unlock()
                throw Stopped()
            }
            if let waiting {
                self.waiting = nil
                condition.unlock()
                waiting.resume(returning: batch)
            } else {
                slot = batch
                condition.unlock()
            }
        }

        /// Producer: the source ended (with its error, if any); its thread is about to end.
        func finish(_ error: (any Error)?) {
            condition.lock()
            ended = true
            if !(error is Stopped) { failure = error }
            producerDone = true
            let waiting = self.waiting
            self.waiting = nil
            let doneWaiter = self.doneWaiter
            self.doneWaiter = nil
            condition.unlock()
            if let waiting {
                if let error = failure { waiting.resume(throwing: error) } else { waiting.resume(returning: nil) }
            }
            doneWaiter?.resume()
        }

        /// Consumer: the next batch, nil at the end.
        func next() async throws -> [Element]? {
            try await withCheckedThrowingContinuation { continuation in
                condition.lock()
                if let batch = slot {
                    slot = nil
                    condition.broadcast()
                    condition.unlock()
                    continuation.resume(returning: batch)
                } else if ended {
                    let failure = self.failure
                    condition.unlock()
                    if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
                } else {
                    waiting = continuation
                    condition.unlock()
                }
            }
        }

        /// Consumer: no more batches wanted; a waiting producer is woken to throw `Stopped`.
        func stop() {
            condition.lock()
            stopped = true
            slot = nil
            condition.broadcast()
            condition.unlock()
        }

        /// Consumer: returns once the producer's thread has left its source.
        func producerEnded() async {
            await withCheckedContinuation { continuation in
                condition.lock()
                if producerDone {
                    condition.unlock()
                    continuation.resume()
                } else {
                    doneWaiter = continuation
                    condition.unlock()
                }
            }
        }
    }

    /// Runs blocking work (placing a file's bytes) on a thread outside the cooperative pool.
    public static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
