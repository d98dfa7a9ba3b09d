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

    /// A batch ready to commit, its posts' search vectors built: posts alone (no journal
    /// events, no files, no leases) already encoded as their one statement, or anything else,
    /// committed in a transaction.
    struct Prepared: Sendable {
        let batch: [Pending]
        fileprivate let posts: [ArchiveBatchInsert.Item]
        fileprivate let vectors: PostgresArchiveSearchVectors
        fileprivate let alone: PostgresArchiveInsert.Alone?

        var standsAlone: Bool { alone != nil }

        /// Encodes what it can ahead of the commit; with `buildingVectors`, it first builds the
        /// posts' search vectors on a pooled connection (`PostgresArchiveSearchVectors`), which
        /// pays where a commit is under way meanwhile; otherwise the insert builds them.
        init(_ batch: [Pending], _ access: PostgresAccess, buildingVectors: Bool) async {
            self.batch = batch
            posts = batch.compactMap { pending -> ArchiveBatchInsert.Item? in
                if case .room(let item) = pending { return item }
                return nil
            }
            vectors = buildingVectors ? await PostgresArchiveSearchVectors.build(posts.map(\.message.body), access) : .notBuilt
            let alone = posts.count == batch.count && posts.allSatisfy {
                $0.message.compliance == nil && $0.message.files.isEmpty && $0.message.lease == nil
            }
            self.alone = alone ? PostgresArchiveInsert.Alone(posts, vectors: vectors) : nil
        }
    }

    /// Commits `batch`; returns each post's sequence or failure, in order. Throws (nothing
    /// written) when the transaction does not commit. `executed` is called when posts alone
    /// have been stored and their rooms' counter rows are held until they commit.
    static func commit(_ prepared: Prepared, _ access: PostgresAccess,
                       executed: @escaping @Sendable () -> Void = {}) async throws -> [Result<Int64, StoreError>] {
        if let alone = prepared.alone { return try await alone.commit(access, executed: executed) }
        let batch = prepared.batch, posts = prepared.posts, vectors = prepared.vectors
        return try await PostgresArchiveInsert.retryingConflicts {
            try await access.transaction { transaction in
                let results = posts.isEmpty ? [] : try await PostgresArchiveInsert.insert(posts, transaction, vectors: vectors)
                try await PostgresComplianceJournalInsert.insert(
                    ArchiveJournalEntry.events(batch.lazy.map(\.journalEntry), postResults: results), transaction)
                return results
            }
        }
    }
}
