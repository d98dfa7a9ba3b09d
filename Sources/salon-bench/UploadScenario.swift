import ArgumentParser
import SalonClient
import XMPPCore

/// `upload`: XEP-0363 file transfer through any server's upload service: each file is a slot
/// request over XMPP, a PUT and a GET over TLS, several at a time. Reports MB/s (uploaded plus
/// downloaded) and the server's CPU per MB.
struct UploadScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upload", abstract: "XEP-0363 uploads and downloads: MB/s and server CPU per MB.")

    @OptionGroup var target: Target
    @Option(help: "Files to upload (each is then downloaded once).") var files = 200
    @Option(help: "Bytes per file.") var size = 1 << 20
    @Option(help: "Transfers in flight at once.") var concurrency = 8
    @Option(help: "Accounts uploading (bench1 … benchN).") var accounts = 8
    @Option(help: "The upload service (default upload.<domain>).") var service: String?

    func validate() throws {
        guard files >= 1, size >= 1, concurrency >= 1, accounts >= 1 else { throw ValidationError("need at least one file, byte, transfer and account") }
    }

    func run() async throws {
        let service = self.service ?? "upload.\(target.domain)"
        var clients: [XMPPClient] = []
        for index in 1...accounts { clients.append(try await target.login(account: index)) }
        let content = [UInt8](repeating: 0x5A, count: size)
        let (clientsNow, size, host, domain) = (clients, size, target.host, target.domain)
        let server = target.server
        let before = try server?.sample()
        let clientLoad = ProcessLoad()
        let stopwatch = Stopwatch()
        let reasons = await concurrently(files, limit: concurrency) { index -> String? in
            do {
                let slot = try await Self.slot(from: service, client: clientsNow[index % clientsNow.count], name: "bench-\(index).bin", size: size)
                let put = try await Self.exchange("PUT", slot.put, headers: slot.headers + [("Content-Type", "application/octet-stream"),
                                                                                           ("Content-Length", "\(size)")],
                                                  body: content, host: host, domain: domain)
                guard (200..<300).contains(put.status) else { return "PUT answered \(put.status)" }
                let get = try await Self.exchange("GET", slot.get, headers: [], body: [], host: host, domain: domain)
                guard get.status == 200, get.body.count == size else { return "GET answered \(get.status) with \(get.body.count) bytes" }
                return nil
            } catch {
                return "\(error)"
            }
        }.compactMap { $0 }
        let seconds = stopwatch.seconds
        let after = try server?.sample()
        for client in clients { try? await client.channel.close() }
        let done = files - reasons.count
        let megabytes = Double(done * size * 2) / 1_000_000
        let rate = megabytes / seconds
        // CPU per MB moved (up and down), counted in whole MB for the shared report.
        let serverFields = Report.serverFields(before, after, per: max(1, Int(megabytes.rounded())), unit: "MB")
        let clientFields = Report.clientFields(clientLoad, per: max(1, Int(megabytes.rounded())), unit: "MB")
        Report.print("upload", Report.format("%d files of %d bytes up and down (%d failed, %d at a time) in %.2f s = %.1f MB/s%@ [%@]",
                                             files, size, reasons.count, concurrency, seconds, rate,
                                             serverFields.text + clientFields.text, target.label),
                     [("mb_per_s", rate), ("failures", Double(reasons.count))] + serverFields.fields + clientFields.fields)
        Report.failures(reasons)
    }

    struct Slot {
        let put: String
        let get: String
        let headers: [(String, String)]
    }

    static let ns = "urn:xmpp:http:upload:0"

    static func slot(from service: String, client: XMPPClient, name: String, size: Int) async throws -> Slot {
        let request = XMLElement("request", namespace: ns, attributes: ["filename": name, "size": "\(size)", "content-type": "application/octet-stream"])
        let answer = try await client.request(XMLElement("iq", namespace: NS.client, attributes: ["type": "get", "to": service],
                                                         children: [.element(request)]))
        guard let slot = answer.child("slot", namespace: ns), let put = slot.child("put", namespace: ns),
              let putURL = put[attribute: "url"], let getURL = slot.child("get", namespace: ns)?[attribute: "url"] else {
            throw BenchError("no upload slot from \(service)")
        }
        let headers = put.children("header", namespace: ns).compactMap { header in header[attribute: "name"].map { ($0, header.text) } }
        return Slot(put: putURL, get: getURL, headers: headers)
    }

    /// One request to `url` over TLS to `host` (the URL's port, SNI its host name).
    static func exchange(_ method: String, _ url: String, headers: [(String, String)], body: [UInt8],
                         host: String, domain: String) async throws -> HTTPAnswer {
        guard let scheme = url.range(of: "https://") else { throw BenchError("not an https URL: \(url)") }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        let path = String(rest.dropFirst(authority.count))
        let name = String(authority.prefix { $0 != ":" })
        let port = authority.contains(":") ? Int(authority.split(separator: ":").last!) ?? 443 : 443
        var head = "\(method) \(path.isEmpty ? "/" : path) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n"
        for (field, value) in headers { head += "\(field): \(value)\r\n" }
        let bytes = try await HTTPExchange.send(host: host, port: port, serverName: name.isEmpty ? domain : name,
                                                Array((head + "\r\n").utf8) + body)
        return HTTPAnswer(bytes)
    }
}
