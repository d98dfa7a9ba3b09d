import Foundation
import PersistentChat
import PostgresNIO

/// One import on PostgreSQL, inside its transaction. The synchronous sources (the ZIP reader)
/// are read twice, once to check and once to write, each time through `SyncBatchBridge`:
/// checks look a batch up at a time (`= ANY($1)`) and decide by `ServiceImportChecks` and
/// `ComplianceImport.ChainCheck`, the rules SQLite applies; writes are the stores' own
/// statements (the archive's group-commit insert and its per-room sequences, the directory's
/// save and revision bump) or multi-row inserts that skip what is already here.
struct PostgresServiceImport {
    static let batchSize = 500
    let input: ServiceImport
    let transaction: PostgresAccess.Transaction

    /// The directory to save, when it changes.
    struct Plan {
        var directory: (new: ChatDirectory, previous: ChatDirectory)?
    }

    // MARK: - Checks

    func check(_ report: inout ServiceImportReport) async throws -> Plan {
        var plan = Plan()
        if input.directory != nil || input.messages != nil {
            // Directory saves on every node wait here until this import commits or rolls back.
            _ = try await PostgresChatStore.lockRevision(transaction)
        }
        if let part = input.directory {
            let current = try await PostgresChatStore.load(transaction)
            if let merged = ServiceImportChecks.directory(part, current: current, &report) {
                plan.directory = (merged, current)
            }
        }
        report.conflicts += ServiceImportChecks.accounts(input.accounts)
        if let messages = input.messages {
            var lines = ConflictLines(kind: "messages")
            try await batches(messages) { batch in
                let archived = try await lookup(batch.map(\.stanzaID), "SELECT stanza_id, room FROM room_messages WHERE stanza_id = ANY($1::text[])")
                for message in batch {
                    if let problem = ServiceImportChecks.message(message, archivedIn: archived[message.stanzaID]) { lines.add(problem) }
                }
                return .more
            }
            report.conflicts += lines.lines
        }
        if let personal = input.personalMessages {
            var lines = ConflictLines(kind: "personal messages")
            let imported = Set(input.accounts.map(\.jid))
            try await batches(personal) { batch in
                let owners = Set(batch.map(\.owner)).subtracting(imported)
                let present = try await lookup(Array(owners), "SELECT jid, jid FROM users WHERE jid = ANY($1::text[])")
                let archived = try await lookup(batch.map(\.stanzaID),
                                                "SELECT stanza_id, owner FROM account_messages WHERE stanza_id = ANY($1::text[])")
                for message in batch {
                    let known = imported.contains(message.owner) || present[message.owner] != nil
                    if let problem = ServiceImportChecks.personal(message, ownerKnown: known, archivedFor: archived[message.stanzaID]) {
                        lines.add(problem)
                    }
                }
                return .more
            }
            report.conflicts += lines.lines
        }
        if let files = input.files {
            var lines = ConflictLines(kind: "files")
            try await batches(files) { batch in
                var existing: [String: ServiceImportChecks.FileOwner] = [:]
                for row in try await transaction.query("""
                    SELECT id, room, stanza_id FROM files WHERE id = ANY(\(batch.map(\.id).filter(PostgresText.isStorable))::text[])
                    """) {
                    let (id, room, stanzaID) = try row.decode((String, String?, String?).self)
                    existing[id] = ServiceImportChecks.FileOwner(room: room, stanzaID: stanzaID)
                }
                for file in batch {
                    if let problem = ServiceImportChecks.file(file, existing: existing[file.id]) { lines.add(problem) }
                }
                return .more
            }
            report.conflicts += lines.lines
        }
        if let compliance = input.compliance {
            var chain = ComplianceImport.ChainCheck(head: try await PostgresComplianceJournalInsert.head(transaction))
            try await checkJournal(compliance, &chain) { _ in }
            if let problem = chain.problem { report.conflicts.append(problem) }
        }
        return plan
    }

    // MARK: - Writes

    func write(_ plan: Plan, dryRun: Bool, _ report: inout ServiceImportReport) async throws {
        if let directory = plan.directory {
            _ = try await PostgresChatStore.write(directory.new, previous: directory.previous, journal: nil, transaction)
        }
        try await writeAccounts(&report)
        if let messages = input.messages {
            var rooms = Set<String>()
            var added = 0
            var present = 0
            try await batches(messages) { batch in
                rooms.formUnion(batch.map(\.room))
                let items = batch.map { ArchiveBatchInsert.Item(message: $0, timestamp: SQLiteFileStore.ms($0.timestamp)) }
                for result in try await PostgresArchiveInsert.insert(items, transaction) {
                    if case .success = result { added += 1 } else { present += 1 }
                }
                return .more
            }
            report.messagesAdded = added
            report.messagesPresent = present
            if added > 0 {
                // Running servers reload these rooms' join history.
                let revision = try await PostgresChatStore.bumpRevision(transaction)
                try await transaction.query("""
                    INSERT INTO chat_content_revisions (room, revision)
                    SELECT room, \(revision) FROM unnest(\(rooms.sorted())::text[]) AS t(room)
                    ON CONFLICT (room) DO UPDATE SET revision = excluded.revision
                    """)
            }
        }
        if let personal = input.personalMessages {
            var added = 0
            var total = 0
            try await batches(personal) { batch in
                try await transaction.execute(PostgresPersonalArchiveInsert.LockCounts(owners: Set(batch.map(\.owner)).sorted()))
                added += try await transaction.execute(ImportPersonalMessages(messages: batch)).count
                total += batch.count
                return .more
            }
            report.personalMessagesAdded = added
            report.personalMessagesPresent = total - added
        }
        if let files = input.files {
            var added = 0
            var total = 0
            let place = input.placeFile
            try await batches(files) { batch in
                let inserted = Set(try await transaction.execute(ImportFiles(files: batch)))
                total += batch.count
                for file in batch where inserted.contains(file.id) {
                    added += 1
                    if !dryRun, let place { try await SyncBatchBridge.blocking { try place(file) } }
                }
                return .more
            }
            report.filesAdded = added
            report.filesPresent = total - added
        }
        if let compliance = input.compliance {
            // Taken last, after the row locks above, as every appender takes it; the chain is
            // checked again under it, since another node may have appended after the check.
            try await PostgresComplianceJournalInsert.lock(transaction)
            let head = try await PostgresComplianceJournalInsert.head(transaction)
            var chain = ComplianceImport.ChainCheck(head: head)
            var added = 0
            var present = 0
            try await checkJournal(compliance, &chain) { batch in
                let fresh = batch.filter { $0.seq > head.seq }
                present += batch.count - fresh.count
                if !fresh.isEmpty { try await transaction.execute(ImportJournal(records: fresh)) }
                added += fresh.count
            }
            if let problem = chain.problem {
                report.conflicts.append(problem)
                throw PostgresServiceTransfer.Unwound(report: report)
            }
            report.complianceEventsAdded = added
            report.complianceEventsPresent = present
        }
    }

    private func writeAccounts(_ report: inout ServiceImportReport) async throws {
        for account in input.accounts {
            if try await transaction.query("""
                INSERT INTO users (jid, created_at) VALUES (\(account.jid), \(SQLiteFileStore.ms(Date())))
                ON CONFLICT (jid) DO NOTHING RETURNING jid
                """).isEmpty {
                report.accountsPresent += 1
            } else {
                try await PostgresAccountStore.insert(account.credentials, for: account.jid, transaction)
                report.accountsAdded += 1
            }
            guard !account.roster.isEmpty else { continue }
            let added = try await transaction.query("""
                INSERT INTO roster_items (owner, jid, name, subscription, ask, groups)
                SELECT \(account.jid), jid, CASE WHEN has_name THEN name END, subscription, ask,
                       ARRAY(SELECT json_array_elements_text(groups::json))
                FROM unnest(\(account.roster.map(\.jid))::text[], \(account.roster.map { $0.name ?? "" })::text[],
                            \(account.roster.map { $0.name != nil })::boolean[], \(account.roster.map(\.subscription))::text[],
                            \(account.roster.map(\.ask))::boolean[], \(try account.roster.map { try Self.json($0.groups) })::text[])
                    WITH ORDINALITY AS t(jid, name, has_name, subscription, ask, groups, position)
                ORDER BY position
                ON CONFLICT (owner, jid) DO NOTHING RETURNING 1
                """).count
            if added > 0 {
                report.rosterItemsAdded += added
                try await PostgresRosterStore.bumpVersion(owner: account.jid, transaction)
            }
        }
    }

    // MARK: - Reading the sources

    /// Reads `source` through the bridge, handing `body` batches; `body` may stop early.
    private func batches<Element: Sendable>(_ source: @escaping @Sendable (_ each: (Element) throws -> Void) throws -> Void,
                                            _ body: ([Element]) async throws -> SyncBatchBridge.Next) async throws {
        try await SyncBatchBridge.run(batchSize: Self.batchSize, produce: { emit in try source(emit) }, consume: body)
    }

    /// Pairs of (key, value) for the `keys` a query finds; keys PostgreSQL cannot hold find nothing.
    private func lookup(_ keys: [String], _ sql: String) async throws -> [String: String] {
        let storable = keys.filter(PostgresText.isStorable)
        guard !storable.isEmpty else { return [:] }
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(storable)
        var found: [String: String] = [:]
        for row in try await transaction.query(PostgresQuery(unsafeSQL: sql, binds: bindings)) {
            let (key, value) = try row.decode((String, String).self)
            found[key] = value
        }
        return found
    }

    /// Checks the file's journal batch by batch (the hashes it needs looked up at once), handing
    /// `then` each batch that passed; stops at the first problem.
    private func checkJournal(_ source: @escaping ServiceImport.ComplianceSource, _ chain: inout ComplianceImport.ChainCheck,
                              then: ([ComplianceRecord]) async throws -> Void) async throws {
        try await batches(source) { batch in
            let wanted = Set(batch.flatMap(chain.lookups))
            var hashes: [Int64: String] = [:]
            if !wanted.isEmpty {
                for row in try await transaction.query("""
                    SELECT seq, hash FROM compliance_events WHERE seq = ANY(\(wanted.sorted())::bigint[])
                    """) {
                    let (seq, hash) = try row.decode((Int64, String).self)
                    hashes[seq] = hash
                }
            }
            for record in batch { chain.check(record) { hashes[$0] } }
            guard chain.problem == nil else { return .stop }
            try await then(batch)
            return .more
        }
    }

    private static func json(_ groups: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(groups), as: UTF8.self)
    }
}
