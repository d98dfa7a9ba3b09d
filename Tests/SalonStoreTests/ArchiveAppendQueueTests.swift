import Testing
@testable import SalonStore

@Suite struct ArchiveAppendQueueTests {
    @Test func batchesComeOffTheFrontInOrderAcrossCompactions() {
        var queue = ArchiveAppendQueue<Int, String>()
        var taken: [Int] = []
        var next = 0
        // Keep the queue partly full while taking uneven batches, so compaction happens mid-way.
        for round in 0..<50 {
            for _ in 0..<(300 + round % 7) {
                queue.append(next, "caller \(next)")
                next += 1
            }
            let batch = queue.take(256 + round % 5)
            #expect(batch.items.count == batch.callers.count)
            #expect(batch.callers == batch.items.map { "caller \($0)" })
            taken += batch.items
        }
        #expect(queue.count == next - taken.count)
        taken += queue.take(queue.count).items
        #expect(taken == Array(0..<next))
        #expect(queue.isEmpty)
        #expect(queue.take(10).items.isEmpty && queue.take(-1).items.isEmpty)
    }
}
