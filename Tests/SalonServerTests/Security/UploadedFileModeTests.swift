import Foundation
import SalonClient
@testable import SalonServer
import Testing

/// #18 item 6: the upload store is the server's user's alone, as the database is.
@Suite struct UploadedFileModeTests {
    @Test("An uploaded file is 0600 on disk, in a 0700 store")
    func uploadedFileIsPrivate() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let slot = try await server.upload("private bytes", by: alice)
            let files = server.directory + "/data/files"
            for (path, mode) in [(files, 0o700), (files + "/partial", 0o700), (files + "/" + slot.id, 0o600)] {
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                let actual = try #require(attributes[.posixPermissions] as? NSNumber).intValue
                #expect(actual == mode, "\(path) has mode \(String(actual, radix: 8))")
            }
        }
    }
}
