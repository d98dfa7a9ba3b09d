extension ChatStore {
    /// Announces a change other processes must notice although the directory did not change
    /// (messages cleared, removed or replaced by an administrator): running servers reload.
    @discardableResult
    public func bumpRevision() async throws -> Int64 {
        try await access.write { db in try ChatDirectoryWriter.bumpRevision(db) }
    }
}
