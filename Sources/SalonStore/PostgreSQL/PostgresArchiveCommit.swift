import PersistentChat

/// One group commit of `PostgresArchiveWriter`, one transaction: the batch's posts
/// (`PostgresArchiveInsert`), then the journal's events for them (`ArchiveJournalEntry`:
/// the CHAT events of the posts stored, the events queued alone) through
/// `PostgresComplianceJournalInsert`, so a post is never committed without its event nor an
/// event without its post. The journal's lock is taken only by a batch that has events, after
/// the rooms' counter rows, as every journal writer takes it: last. A batch of posts with no
/// events and no files is its one insert statement, committing by itself.
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

    /// A batch ready to commit: posts alone (no journal events, no files, no leases) already encoded as
    /// their one statement, or anything else, committed in a transaction.
    struct Prepared: Sendable {
        let batch: [Pending]
        fileprivate let alone: PostgresArchiveInsert.Alone?

        var standsAlone: Bool { alone != nil }

        init(_ batch: [Pending]) {
            self.batch = batch
            let posts = batch.compactMap { pending -> ArchiveBatchInsert.Item? in
                guard case .room(let item) = pending, item.message.compliance == nil, item.message.files.isEmpty,
                      item.message.lease == nil else { return nil }
                return item
            }
            alone = posts.count == batch.count ? PostgresArchiveInsert.Alone(posts) : nil
        }
    }

    /// Commits `batch`; returns each post's sequence or failure, in order. Throws (nothing
    /// written) when the transaction does not commit.
    static func commit(_ prepared: Prepared, _ access: PostgresAccess) async throws -> [Result<Int64, StoreError>] {
        if let alone = prepared.alone { return try await alone.commit(access) }
        let batch = prepared.batch
        let posts = batch.compactMap { pending -> ArchiveBatchInsert.Item? in
            if case .room(let item) = pending { return item }
            return nil
        }
        return try await PostgresArchiveInsert.retryingConflicts {
            try await access.transaction { transaction in
                let results = posts.isEmpty ? [] : try await PostgresArchiveInsert.insert(posts, transaction)
                try await PostgresComplianceJournalInsert.insert(
                    ArchiveJournalEntry.events(batch.lazy.map(\.journalEntry), postResults: results), transaction)
                return results
            }
        }
    }
}
