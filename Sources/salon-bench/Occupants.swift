import NIOCore
import SalonClient

/// Bench accounts entering one room: log in, join, then hand the connection's input to a raw
/// handler, so that a crowded room's presence flood is not parsed by the bench.
enum Occupants {
    /// One account's attempt: its connection when it got in, how long it took, or why it failed;
    /// `skipped` when the deadline passed before its turn.
    struct Entry: Sendable {
        let channel: Channel?
        let seconds: Double
        let failure: String?
        var skipped = false
    }

    /// Account `index` logs in and joins `room` as nick `u<index>`; from then on its input goes to `input`'s handler.
    static func enter(_ target: Target, account index: Int, room: String,
                      input: @escaping @Sendable () -> any ChannelHandler) async throws -> Channel {
        let client = try await target.login(account: index)
        do {
            try await RoomJoin.join(client, room: room, nick: "u\(index)")
            try await client.replaceParser(with: input)
            return client.channel
        } catch {
            try? await client.channel.close()
            throw error
        }
    }

    /// Accounts 1…count enter `room`: the first alone (its join may create and configure the room,
    /// which others may not enter before), then the rest `concurrency` at a time; none starts
    /// after `deadline`. Failures are counted, not thrown.
    static func fill(_ target: Target, room: String, count: Int, concurrency: Int, deadline: ContinuousClock.Instant? = nil,
                     input: @escaping @Sendable () -> any ChannelHandler) async -> [Entry] {
        @Sendable func attempt(_ index: Int) async -> Entry {
            if let deadline, ContinuousClock.now > deadline { return Entry(channel: nil, seconds: 0, failure: nil, skipped: true) }
            let stopwatch = Stopwatch()
            do {
                let channel = try await enter(target, account: index, room: room, input: input)
                return Entry(channel: channel, seconds: stopwatch.seconds, failure: nil)
            } catch {
                return Entry(channel: nil, seconds: stopwatch.seconds, failure: "\(error)")
            }
        }
        guard count > 0 else { return [] }
        let first = await attempt(1)
        return [first] + (await concurrently(count - 1, limit: concurrency) { await attempt($0 + 2) })
    }

    /// Closes every connection that got in.
    static func leave(_ entries: [Entry]) async {
        for entry in entries { try? await entry.channel?.close() }
    }
}
