/// Files in rooms (design §2 FileUpload, §5 MaxFileSizeKB): who may upload, how large, and
/// where a file may be posted and downloaded.
extension ChatDirectory {
    /// The largest file any room accepts, in bytes (MaxFileSizeKB; KB = 1024 bytes).
    public var maxFileBytes: Int64 { Int64(settings.maxFileSizeKB) * 1024 }

    /// Asking for an upload slot: a user whose persistent chat is off shares no files (uploads
    /// are for rooms), and no file is larger than MaxFileSizeKB.
    public func checkMayUpload(user: String, size: Int64) throws(ChatRuleError) {
        guard isEnabled(user: user) else {
            throw ChatRuleError(.switchedOff, "Persistent chat is off for you, and with it file upload.")
        }
        guard size <= maxFileBytes else {
            throw ChatRuleError(.limitReached, "The file is larger than the largest allowed (\(settings.maxFileSizeKB) KB).")
        }
    }

    /// Posting a file in a room, after the post rule (`checkMayPost`: in an auditorium only
    /// presenters post, files included): only where the room's category allows files.
    public static func checkAllowsFiles(in category: Category) throws(ChatRuleError) {
        guard category.fileUpload else {
            throw ChatRuleError(.switchedOff, "Files are not allowed in rooms of category \(category.name).")
        }
    }

    /// Downloading a file posted in a room: only while the room exists and its category allows
    /// files (§2: a category without FileUpload serves none); where downloads follow
    /// membership (`readersOnly`), only to whoever may read the room's history now (`user` nil:
    /// not authenticated).
    public func checkMayDownload(fromRoom localpart: String, user: String?, readersOnly: Bool) throws(ChatRuleError) {
        guard let room = rooms[localpart], let category = category(named: room.category) else {
            throw ChatRuleError(.notFound, "The room of this file no longer exists.")
        }
        try Self.checkAllowsFiles(in: category)
        guard readersOnly else { return }
        guard let user, access(of: user, to: room).canRead else {
            throw ChatRuleError(.forbidden, "Only those who may read the room download its files.")
        }
    }
}
