import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PersistentChat
import SalonSecurity
import SalonStore
import Synchronization
import _NIOFileSystem

/// `/files/<slot>/<name>`: the PUT a slot allows (XEP-0363 §4) and the GET/HEAD of uploaded
/// files, served only while the room message that carries them exists.
final class FileRoutes: HTTPRoutes {
    let store: any FileStore
    let files: UploadedFiles
    let tokenKey: [UInt8]
    let configuration: UploadConfiguration
    let directory: @Sendable () -> ChatDirectory
    let downloaders: FileDownloaders
    let logger: Logger
    /// Counts the bytes uploaded and downloaded.
    let metrics: ServerMetrics
    /// Uploads and downloads are journaled when compliance is on.
    let compliance: ComplianceRecorder
    /// Slots with an upload streaming in: a second PUT meanwhile gets 409.
    private let uploading = Mutex<Set<String>>([])

    init(store: any FileStore, files: UploadedFiles, tokenKey: [UInt8], configuration: UploadConfiguration,
         directory: @escaping @Sendable () -> ChatDirectory, downloaders: FileDownloaders, metrics: ServerMetrics,
         compliance: ComplianceRecorder, logger: Logger) {
        self.compliance = compliance
        self.store = store
        self.files = files
        self.tokenKey = tokenKey
        self.configuration = configuration
        self.directory = directory
        self.downloaders = downloaders
        self.metrics = metrics
        self.logger = logger
    }

    func add(to router: Hummingbird.Router<SalonRequestContext>) {
        let files = router.group("files").add(middleware: FileCORS())
        files.on(":id/:name", method: .options) { _, _ in
            Response(status: .noContent, headers: [.allow: FileCORS<SalonRequestContext>.allowedMethods])
        }
        files.put(":id/:name") { request, context in try await self.put(request, context) }
        files.get(":id/:name") { request, context in try await self.get(request, context, head: false) }
        files.head(":id/:name") { request, context in try await self.get(request, context, head: true) }
    }

    // MARK: Upload

    private func put(_ request: Request, _ context: SalonRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), UploadedFiles.isSlotID(id), let file = try await store.file(id: id) else {
            return Self.plain(.notFound, "No such upload slot.")
        }
        if file.revoked != nil { return Self.plain(.gone, "This upload slot is gone.") }
        if file.completed != nil { return Self.plain(.conflict, "This file is already uploaded.") }
        guard let token = request.uri.queryParameters.get("token"),
              UploadToken.verify(token, slot: id, size: file.size, contentType: file.contentType, key: tokenKey, now: Date()) else {
            return Self.plain(.forbidden, "The upload token is not valid or has expired.")
        }
        guard let lengthText = request.headers[.contentLength] else {
            return Self.plain(.lengthRequired, "An upload states its Content-Length.")
        }
        guard let length = Int64(lengthText), length == file.size else {
            return Self.plain(Int64(lengthText).map { $0 > file.size } == true ? .contentTooLarge : .badRequest,
                              "The upload must be exactly \(file.size) bytes, as the slot said.")
        }
        if let type = request.headers[.contentType], UploadSlotRequest.normalizedType(type) != file.contentType {
            return Self.plain(.unsupportedMediaType, "The upload's Content-Type must be \(file.contentType), as the slot said.")
        }
        guard uploading.withLock({ $0.insert(id).inserted }) else {
            return Self.plain(.conflict, "This file is being uploaded.")
        }
        defer { _ = uploading.withLock { $0.remove(id) } }
        logger.info("upload started", metadata: ["account": "\(file.uploader)", "file": "\(id)", "bytes": "\(file.size)"])
        let partial = files.partialPath(id)
        let digest: [UInt8]
        do {
            digest = try await receive(request.body, into: partial, size: file.size)
        } catch let refusal as UploadRefusal {
            await files.removePartial(partial)
            logger.info("upload refused", metadata: ["account": "\(file.uploader)", "file": "\(id)", "cause": "\(refusal.text)"])
            return Self.plain(refusal.status, refusal.text)
        } catch {
            // The client went away, or the disk failed: nothing half-written stays.
            await files.removePartial(partial)
            logger.info("upload abandoned", metadata: ["account": "\(file.uploader)", "file": "\(id)", "cause": "\(error)"])
            throw error
        }
        do {
            try await files.publish(partial, as: id)
        } catch {
            await files.removePartial(partial)
            logger.storageFailure("cannot store an upload", error, metadata: ["file": "\(id)"])
            return Self.plain(.internalServerError, "The file could not be stored.")
        }
        let completed = Date()
        let event: ComplianceEvent? = compliance.isEnabled
            ? .file(.fileUpload, time: ComplianceRecorder.milliseconds(completed), user: file.uploader, room: file.room ?? "", file: id,
                    name: file.name, size: file.size, contentType: file.contentType)
            : nil
        guard try await store.complete(id: id, sha256: Hex.encode(digest), at: completed, journal: event) else {
            await files.remove(id)
            return Self.plain(.conflict, "This slot is no longer open.")
        }
        logger.notice("file uploaded", metadata: [
            "account": "\(file.uploader)", "file": "\(id)", "bytes": "\(file.size)", "type": "\(file.contentType)",
        ])
        return Response(status: .created, headers: [.contentLength: "0"])
    }

    private struct UploadRefusal: Error {
        let status: HTTPResponse.Status
        let text: String
    }

    /// Streams the body to `path`, hashing as it goes; refuses a body longer or shorter than `size`.
    private func receive(_ body: RequestBody, into path: String, size: Int64) async throws -> [UInt8] {
        let digest = StreamingDigest(.sha256)
        var received: Int64 = 0
        try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(path), options: .newFile(replaceExisting: false, permissions: UploadedFiles.fileMode)) { handle in
            try await handle.withBufferedWriter { writer in
                do {
                    for try await chunk in body {
                        received += Int64(chunk.readableBytes)
                        self.metrics.uploaded(bytes: chunk.readableBytes)
                        guard received <= size else {
                            throw UploadRefusal(status: .contentTooLarge, text: "The upload is larger than the slot's \(size) bytes.")
                        }
                        chunk.withUnsafeReadableBytes { digest.update($0) }
                        _ = try await writer.write(contentsOf: chunk)
                    }
                } catch is RequestDeadlineExceeded {
                    throw UploadRefusal(status: .requestTimeout, text: "The upload took longer than the server allows; start it again.")
                }
            }
        }
        guard received == size else {
            throw UploadRefusal(status: .badRequest, text: "The upload ended after \(received) of \(size) bytes.")
        }
        return digest.finish()
    }

    // MARK: Download

    private func get(_ request: Request, _ context: SalonRequestContext, head: Bool) async throws -> Response {
        guard let id = context.parameters.get("id"), UploadedFiles.isSlotID(id), let file = try await store.file(id: id),
              file.completed != nil else {
            return Self.plain(.notFound, "No such file.")
        }
        let now = Date()
        if file.revoked != nil || (file.room == nil && file.expires.addingTimeInterval(configuration.unpostedLifetime) < now) {
            return Self.plain(.gone, "This file was removed.")
        }
        var user: String?
        let readersOnly = configuration.downloadMode == .members
        if readersOnly {
            // A file never posted in a room (1:1 sharing) goes to any account of this domain.
            user = await downloaders.user(request)
            if user == nil {
                return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"Salon files\", charset=\"UTF-8\"",
                                                                 .contentType: "text/plain; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: "Log in with your chat account.\n")))
            }
        }
        if let room = file.room {
            do {
                try directory().checkMayDownload(fromRoom: room, user: user, readersOnly: readersOnly)
            } catch {
                // A room the user may not read is not confirmed to exist (as Secret rooms answer).
                return Self.plain(error.kind == .notFound ? .gone : .forbidden, error.message)
            }
        }
        var headers = FileHeaders.headers(for: file)
        let tag = "\"\(file.sha256 ?? id)\""
        if request.headers[.ifNoneMatch]?.contains(tag) == true {
            return Response(status: .notModified, headers: [.eTag: tag])
        }
        let range = ByteRange(header: request.headers[.range], size: file.size)
        let bytes: ClosedRange<Int64>
        let status: HTTPResponse.Status
        switch range {
        case .whole:
            bytes = 0...(file.size - 1)
            status = .ok
        case .part(let part):
            bytes = part
            status = .partialContent
            headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound)/\(file.size)"
        case .unsatisfiable:
            return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(file.size)", .contentLength: "0"])
        }
        headers[.contentLength] = "\(bytes.count)"
        if head { return Response(status: status, headers: headers) }
        // Recorded (and journaled, compliance on) before a byte is served.
        let served = Date()
        let event: ComplianceEvent? = compliance.isEnabled
            ? .file(.fileDownload, time: ComplianceRecorder.milliseconds(served), user: user ?? Self.anonymous, room: file.room ?? "",
                    file: id, name: file.name, size: file.size, contentType: file.contentType,
                    range: "\(bytes.lowerBound)-\(bytes.upperBound)")
            : nil
        do {
            try await store.recordDownload(FileDownload(file: id, room: file.room, account: user, time: served, range: bytes), journal: event)
        } catch {
            logger.storageFailure("download not recorded", error, metadata: ["file": "\(id)"])
            return Self.plain(.serviceUnavailable, "The download could not be recorded; try again.")
        }
        logger.info("file downloaded", metadata: [
            "file": "\(id)", "room": "\(file.room ?? "-")", "account": "\(user ?? "-")",
            "bytes": "\(bytes.lowerBound)-\(bytes.upperBound)",
        ])
        let path = files.path(id)
        let body = ResponseBody(contentLength: bytes.count) { writer in
            try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                for try await chunk in handle.readChunks(in: bytes, chunkLength: .kibibytes(128)) {
                    try await writer.write(chunk)
                    self.metrics.downloaded(bytes: chunk.readableBytes)
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Who a download by link is journaled as: the link names nobody.
    static let anonymous = "anonymous"

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        let buffer = ByteBuffer(string: text + "\n")
        return Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .contentLength: "\(buffer.readableBytes)",
                                                  .xContentTypeOptions: "nosniff"],
                        body: ResponseBody(byteBuffer: buffer))
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
