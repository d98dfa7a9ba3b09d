import Foundation
import PersistentChat

/// The stores not on PostgreSQL yet: every call fails, so nothing is ever acknowledged that
/// PostgreSQL does not keep. `salon serve` refuses `storage.backend: postgresql` while any
/// store is here (Settings' `storesNotOnPostgreSQL`).
struct PostgresPendingStores: FileStore, PersonalArchiveStore {
    private func pending(_ what: String) -> StoreError { StoreError(.other, "\(what) are not on PostgreSQL yet") }

    func reserve(_ file: FileRecord, dailyQuota: Int64, storageCap: Int64) async throws -> FileReservation { throw pending("uploaded files") }
    func file(id: String) async throws -> FileRecord? { throw pending("uploaded files") }
    func complete(id: String, sha256: String, at time: Date, journal event: ComplianceEvent?) async throws -> Bool { throw pending("uploaded files") }
    func claim(_ ids: [String], room: String, stanzaID: String, at time: Date) async throws { throw pending("uploaded files") }
    func revoke(id: String) async throws -> Bool { throw pending("uploaded files") }
    func sweep(unclaimedBefore deadline: Date) async throws -> [FileRecord] { throw pending("uploaded files") }
    func deleted(_ ids: [String]) async throws { throw pending("uploaded files") }
    func forget(revokedBefore before: Date) async throws -> Int { throw pending("uploaded files") }
    func list(room: String?, uploader: String?, includingRevoked: Bool, limit: Int) async throws -> [FileRecord] { throw pending("uploaded files") }
    func usage(room: String?, uploader: String?) async throws -> FileUsage { throw pending("uploaded files") }
    func usageByUploader(room: String) async throws -> [(uploader: String, usage: FileUsage)] { throw pending("uploaded files") }
    func recordDownload(_ download: FileDownload, journal event: ComplianceEvent?) async throws { throw pending("uploaded files") }
    func downloads(of file: String) async throws -> [FileDownload] { throw pending("uploaded files") }

    func query(_ query: ArchiveQuery) async throws -> ArchiveResultPage<PersonalMessage> { throw pending("accounts' archives") }
    func bounds(owner: String) async throws -> (first: PersonalMessage?, last: PersonalMessage?) { throw pending("accounts' archives") }
    func preferences(owner: String) async throws -> ArchivePreferences { throw pending("accounts' archives") }
    func setPreferences(owner: String, _ preferences: ArchivePreferences) async throws -> ArchivePreferences { throw pending("accounts' archives") }
}
