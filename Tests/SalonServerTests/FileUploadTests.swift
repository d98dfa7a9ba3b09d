import Foundation
import PersistentChat
import SalonClient
import SalonSecurity
@testable import SalonServer
import SalonStore
import Testing
import XMPPCore

@Suite("File upload (XEP-0363) over XMPP and HTTP")
struct FileUploadTests {
    let domain = TestServer.domain

    @Test("The server lists upload.<domain>; its disco#info has the feature and the max-file-size form")
    func discovery() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let items = try await alice.query(domain, NS.discoItems)
            #expect(items.child("query", namespace: NS.discoItems)?.elements.contains { $0[attribute: "jid"] == uploadDomain } == true)
            let info = try #require(try await alice.query(uploadDomain, NS.discoInfo).child("query", namespace: NS.discoInfo))
            #expect(info.child("identity", namespace: NS.discoInfo)?[attribute: "category"] == "store")
            #expect(info.children("feature", namespace: NS.discoInfo).contains { $0[attribute: "var"] == uploadNS })
            let form = try #require(info.child("x", namespace: DataForm.namespace).flatMap(DataForm.init))
            #expect(form.formType == uploadNS)
            #expect(form.values("max-file-size") == ["\(20_000 * 1024)"])
        }
    }

    @Test("Slot requests: too large (with max-file-size), bad names, denied types, policy off, bad size")
    func slotErrors() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            try await server.addUser("mallory")
            try await server.chat { (d: inout ChatDirectory) throws(ChatRuleError) in
                try d.updateSettings(by: .system) { $0.maxFileSizeKB = 1 }
                try d.setPolicy(user: "mallory@\(domain)", enabled: false, by: .system)
            }
            let alice = try await server.online("alice")
            let large = try await alice.slotRequest(filename: "big.bin", size: 1025)
            #expect(errorCondition(large) == "not-acceptable")
            let tooLarge = large.child("error", namespace: NS.client)?.child("file-too-large", namespace: uploadNS)
            #expect(tooLarge?.child("max-file-size", namespace: uploadNS)?.text == "1024")
            for name in ["../etc/passwd", "/etc/passwd", "a/b.txt", "..", ".hidden", "~root", "evil\u{202E}txt.exe", "tab\there", ""] {
                let refused = try await alice.slotRequest(filename: name, size: 10)
                #expect(errorCondition(refused) == "bad-request", "name \(name)")
            }
            #expect(errorCondition(try await alice.slotRequest(filename: "page.html", size: 10, type: "text/html")) == "not-acceptable")
            #expect(errorCondition(try await alice.slotRequest(filename: "x", size: 10, type: "not a type")) == "bad-request")
            #expect(errorCondition(try await alice.slotRequest(filename: "x", size: 0)) == "bad-request")
            #expect(errorCondition(try await alice.slotRequest(filename: "x", size: -5)) == "bad-request")
            let mallory = try await server.online("mallory")
            #expect(errorCondition(try await mallory.slotRequest(filename: "x.txt", size: 10)) == "not-allowed")
            // A file name with spaces and accents is fine, percent-encoded in the URLs.
            let slot = try await alice.slot(filename: "très cool.txt", size: 10)
            #expect(slot.get.hasSuffix("/tr%C3%A8s%20cool.txt"))
            #expect(slot.put.hasPrefix(slot.get + "?token="))
        }
    }

    @Test("The daily quota, the storage cap and the slot rate refuse with resource-constraint")
    func quotas() async throws {
        try await withServer(configure: { config in
            config.http.upload.dailyQuotaBytes = 100
            config.http.upload.storageCapBytes = 150
            config.http.upload.slotBurst = 4
            config.http.upload.slotsPerMinute = 1
        }) { server async throws in
            try await server.addUser("alice")
            try await server.addUser("bob")
            let alice = try await server.online("alice")
            let bob = try await server.online("bob")
            _ = try await alice.slot(filename: "a.txt", size: 60)
            let quota = try await alice.slotRequest(filename: "b.txt", size: 60)
            #expect(errorCondition(quota) == "resource-constraint")
            _ = try await bob.slot(filename: "c.txt", size: 80)
            let cap = try await bob.slotRequest(filename: "d.txt", size: 20)
            #expect(errorCondition(cap) == "resource-constraint")
            #expect(cap.child("error", namespace: NS.client)?.child("text", namespace: NS.stanzaErrors)?.text.contains("full") == true)
            // Alice's burst of four requests is taken (two granted, two refused by size); the fifth is over the rate.
            _ = try await alice.slotRequest(filename: "e.txt", size: 1)
            _ = try await alice.slotRequest(filename: "g.txt", size: 1)
            let flood = try await alice.slotRequest(filename: "f.txt", size: 1)
            #expect(errorCondition(flood) == "resource-constraint")
            #expect(flood.child("error", namespace: NS.client)?.child("text", namespace: NS.stanzaErrors)?.text.contains("Too many") == true)
        }
    }

    @Test("PUT then GET, HEAD and byte ranges with safe headers; a second PUT is 409")
    func putAndGet() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let content = "0123456789abcdef"
            let slot = try await server.upload(content, by: alice)
            let again = try await server.put(slot, Array(content.utf8))
            #expect(again.status == 409)

            let get = try await server.get(slot.getTarget)
            #expect(get.status == 200)
            #expect(get.text == content)
            #expect(get.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(get.header("X-Content-Type-Options") == "nosniff")
            #expect(get.header("Content-Disposition")?.hasPrefix("inline; filename=\"notes.txt\"") == true)
            #expect(get.header("Content-Security-Policy")?.contains("sandbox") == true)
            #expect(get.header("Cache-Control") == "private, no-cache")
            #expect(get.header("Accept-Ranges") == "bytes")

            let head = try await server.get(slot.getTarget, method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "16")

            let part = try await server.get(slot.getTarget, headers: ["Range": "bytes=2-5"])
            #expect(part.status == 206 && part.text == "2345")
            #expect(part.header("Content-Range") == "bytes 2-5/16")
            let tail = try await server.get(slot.getTarget, headers: ["Range": "bytes=-3"])
            #expect(tail.status == 206 && tail.text == "def")
            let open = try await server.get(slot.getTarget, headers: ["Range": "bytes=14-"])
            #expect(open.status == 206 && open.text == "ef")
            let clamped = try await server.get(slot.getTarget, headers: ["Range": "bytes=10-999"])
            #expect(clamped.status == 206 && clamped.text == "abcdef")
            for bad in ["bytes=16-", "bytes=5-2", "bytes=abc", "bytes=-0", "bytes=-"] {
                let refused = try await server.get(slot.getTarget, headers: ["Range": bad])
                #expect(refused.status == 416, "range \(bad)")
                #expect(refused.header("Content-Range") == "bytes */16")
            }
            // Several ranges and other units get the whole file.
            #expect(try await server.get(slot.getTarget, headers: ["Range": "bytes=0-1,4-5"]).status == 200)
            #expect(try await server.get(slot.getTarget, headers: ["Range": "lines=1-2"]).status == 200)
            let cached = try await server.get(slot.getTarget, headers: ["If-None-Match": get.header("ETag") ?? "none"])
            #expect(cached.status == 304)

            let pdf = try await alice.slot(filename: "report.pdf", size: 4, type: "application/pdf")
            #expect(try await server.put(pdf, Array("%PDF".utf8), type: "application/pdf").status == 201)
            let download = try await server.get(pdf.getTarget)
            #expect(download.header("Content-Disposition")?.hasPrefix("attachment;") == true)
            // Quotes and non-ASCII cannot break out of the header: a plain fallback and RFC 6266's encoded form.
            let quoted = try await server.upload("hi", as: "say \"hé\";x=1.txt", by: alice)
            let disposition = try await server.get(quoted.getTarget).header("Content-Disposition")
            #expect(disposition == "inline; filename=\"say _h__;x=1.txt\"; filename*=UTF-8''say%20%22h%C3%A9%22%3Bx%3D1.txt")
            let record = try #require(try await server.database.files.file(id: pdf.id))
            #expect(record.sha256 == Hex.encode(Crypto.hash(.sha256, Array("%PDF".utf8))))
        }
    }

    @Test("PUT refusals: forged or expired token, wrong length or type, no length, unknown slot, traversal")
    func putRefusals() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let slot = try await alice.slot(filename: "a.txt", size: 4)
            let body = Array("abcd".utf8)
            let base = slot.getTarget
            let token = String(slot.putTarget.split(separator: "=", maxSplits: 1)[1])
            let forged = token.prefix(token.count - 1) + (token.hasSuffix("0") ? "1" : "0")
            #expect(try await HTTPTestClient.request(port: server.httpPort, "PUT", base + "?token=\(forged)", body: body).status == 403)
            #expect(try await HTTPTestClient.request(port: server.httpPort, "PUT", base, body: body).status == 403)
            // Another expiry with the same signature does not verify.
            let later = "\(Int(token.split(separator: ".")[0])! + 3600).\(token.split(separator: ".")[1])"
            #expect(try await HTTPTestClient.request(port: server.httpPort, "PUT", base + "?token=\(later)", body: body).status == 403)
            #expect(try await HTTPTestClient.request(port: server.httpPort, "PUT", slot.putTarget, body: Array("abcde".utf8)).status == 413)
            #expect(try await HTTPTestClient.request(port: server.httpPort, "PUT", slot.putTarget, body: Array("abc".utf8)).status == 400)
            #expect(try await server.put(slot, body, type: "image/png").status == 415)
            let chunked = try await HTTPTestClient.send(port: server.httpPort,
                                                        "PUT \(slot.putTarget) HTTP/1.1\r\nTransfer-Encoding: chunked",
                                                        body: Array("4\r\nabcd\r\n0\r\n\r\n".utf8))
            #expect(chunked.status == 411)
            // Conflicting framing (request smuggling) is refused by the parser before any route
            // (which would answer 404 here), and the request hidden in the body is not answered.
            let smuggled = try await HTTPTestClient.exchange(port: server.httpPort, Array((
                "PUT /files/\(String(repeating: "b", count: 32))/x HTTP/1.1\r\nHost: salon.test\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /files/\(slot.id)/a.txt HTTP/1.1\r\nHost: salon.test\r\n\r\n").utf8))
            let answers = String(decoding: smuggled, as: UTF8.self)
            #expect(HTTPTestClient.parse(smuggled).status == 400)
            #expect(answers.components(separatedBy: "HTTP/1.1 ").count == 2)
            let unknown = "/files/\(String(repeating: "a", count: 32))/x.txt?token=\(token)"
            #expect(try await HTTPTestClient.request(port: server.httpPort, "PUT", unknown, body: body).status == 404)
            for path in ["/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd", "/files/\(slot.id)/../../x", "/files/..%2f..%2fsalon.sqlite/x"] {
                let status = try await server.get(path).status
                #expect(status == 404 || status == 400, "path \(path)")
            }
            // After all that the slot still takes its upload.
            #expect(try await server.put(slot, body).status == 201)
        }
    }

    @Test("An expired PUT token is refused")
    func expiredToken() async throws {
        try await withServer(configure: { $0.http.upload.slotLifetime = -60 }) { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let slot = try await alice.slot(filename: "a.txt", size: 4)
            #expect(try await server.put(slot, Array("abcd".utf8)).status == 403)
        }
    }

    @Test("A client that goes away mid-upload leaves no partial file and no held slot")
    func abandonedUpload() async throws {
        try await withServer { server async throws in
            try await server.addUser("alice")
            let alice = try await server.online("alice")
            let slot = try await alice.slot(filename: "a.txt", size: 100_000)
            let head = "PUT \(slot.putTarget) HTTP/1.1\r\nHost: salon.test\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"
            _ = try await HTTPTestClient.exchange(port: server.httpPort, Array(head.utf8) + [UInt8](repeating: 65, count: 40_000), halfWay: true)
            // The abandoned upload holds the slot until the server notices; then the full one goes in.
            var status = 409
            while status == 409 {
                status = try await server.put(slot, [UInt8](repeating: 66, count: 100_000)).status
            }
            #expect(status == 201)
            let partial = try FileManager.default.contentsOfDirectory(atPath: server.directory + "/data/files/partial")
            #expect(partial.isEmpty)
            #expect(try await server.get(slot.getTarget).body == [UInt8](repeating: 66, count: 100_000))
        }
    }
}
