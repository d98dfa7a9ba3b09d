import PostgresNIO

/// `ServiceTransfer` on PostgreSQL. An export is one `REPEATABLE READ, READ ONLY` transaction
/// (`PostgresExportSource`); an import is one transaction that checks everything, then writes
/// (`PostgresServiceImport`), rolled back with conflicts or in a dry run. Both are bounded by
/// `timeout`, not the operation timeout: they are an operator's commands over a whole service.
struct PostgresServiceTransfer: ServiceTransfer {
    /// How long one export or import may hold its connection.
    static let timeout: Duration = .seconds(24 * 3600)
    let access: PostgresAccess

    func export<T: Sendable>(_ body: @Sendable (any ServiceExportSource) async throws -> T) async throws -> T {
        try await access.within(Self.timeout).transaction { transaction in
            try await transaction.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            do {
                return try await body(PostgresExportSource(transaction: transaction))
            } catch {
                throw Self.passing(error)
            }
        }
    }

    func importService(_ input: ServiceImport, dryRun: Bool) async throws -> ServiceImportReport {
        let report = try await importInTransaction(input, dryRun: dryRun)
        // What was imported is planned for from now on, not once autovacuum has seen it.
        if report.committed { try await PostgresSchema.analyze(access.within(Self.timeout)) }
        return report
    }

    private func importInTransaction(_ input: ServiceImport, dryRun: Bool) async throws -> ServiceImportReport {
        do {
            return try await access.within(Self.timeout).transaction { transaction in
                var report = ServiceImportReport()
                let importer = PostgresServiceImport(input: input, transaction: transaction)
                do {
                    let plan = try await importer.check(&report)
                    guard report.conflicts.isEmpty else { throw Unwound(report: report) }
                    try await importer.write(plan, dryRun: dryRun, &report)
                } catch {
                    throw Self.passing(error)
                }
                guard !dryRun else { throw PostgresAccess.Passed(error: Unwound(report: report)) }
                report.committed = true
                return report
            }
        } catch let unwound as Unwound {
            return unwound.report
        }
    }

    /// Thrown to roll the import's transaction back (conflicts, a dry run) with its report.
    struct Unwound: Error {
        let report: ServiceImportReport
    }

    /// The body's own errors (a malformed record, the caller's) pass `PostgresAccess`'s mapping
    /// unchanged; PostgreSQL's are mapped as every store's are.
    private static func passing(_ error: any Error) -> any Error {
        switch error {
        case is PSQLError, is PostgresDecodingError, is PostgresAccess.Passed, is CancellationError: error
        default: PostgresAccess.Passed(error: error)
        }
    }
}

extension PostgresBackend {
    public var transfer: any ServiceTransfer { PostgresServiceTransfer(access: access) }
}
