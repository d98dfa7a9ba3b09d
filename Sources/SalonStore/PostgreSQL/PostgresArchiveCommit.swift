import PersistentChat

/// One group commit of `PostgresArchiveWriter`, one transaction: the batch's posts
/// (`PostgresArchiveInsert`), then the journal's events for them (`ArchiveJournalEntry`:
/// the CHAT events of the posts stored, the events queued alone) through
/// `PostgresComplianceJournalInsert`, so a post is never committed without its event nor an
/// event without its post. The journal's lock is taken only by a batch that has events, after
/// the rooms' counter rows, as every journal writer takes it: last.
enum PostgresArchiveCommit {
    /// What the writer queues.
    enum Pending: Sendable {
        case room(ArchiveBatchInsert.Item)
        case journal([ComplianceEvent])

        var journalEntry: ArchiveJournalEntry {
            switch self {
            case .room(let item): .post(item.message.compliance)
            case .journal(let events): .events(events)
            }
        }
    }

    /// Commits `batch`; returns each post's sequence or failure, in order. Throws (nothing
    /// written) when the transaction does not commit.
    static func commit(_ batch: [Pending], _ access: PostgresAccess) async throws -> [Result<Int64, StoreError>] {
        let posts = batch.compactMap { pending -> ArchiveBatchInsert.Item? in
            if case .room(let item) = pending { return item }
            return nil
        }
        return try await access.transaction { transaction in
            let results = posts.isEmpty ? [] : try await PostgresArchiveInsert.insert(posts, transaction)
            try await PostgresComplianceJournalInsert.insert(
                ArchiveJournalEntry.events(batch.lazy.map(\.journalEntry), postResults: results), transaction)
            return results
        }
    }
}
