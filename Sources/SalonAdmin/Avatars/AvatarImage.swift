import SalonSecurity
import XMPPCore

/// One avatar image as XEP-0084 and XEP-0153 describe it: its bytes, media type and SHA-1 (the
/// item id of XEP-0084, the presence hash of XEP-0153), and its size when the header says it.
/// The server's avatar conversion and the CLI's room avatars both use it.
public struct AvatarImage: Sendable, Equatable {
    public static let vCardNS = "vcard-temp"
    public static let dataNS = "urn:xmpp:avatar:data"
    public static let metadataNS = "urn:xmpp:avatar:metadata"
    /// XEP-0398 §2: the account converts between the two.
    public static let conversionFeature = "urn:xmpp:pep-vcard-conversion:0"

    public let base64: String
    public let byteCount: Int
    public let type: String
    public let hash: String
    public let width: Int?
    public let height: Int?

    /// An image from its base64 (whitespace allowed); nil when that is not base64 or empty.
    /// `type` is the one given, else what the bytes look like.
    public init?(base64 value: String, type: String?) {
        let compact = value.filter { !$0.isWhitespace }
        guard !compact.isEmpty, let bytes = Base64.decode(compact) else { return nil }
        self.init(bytes: bytes, base64: compact, type: type)
    }

    /// An image from its bytes; nil when there are none.
    public init?(bytes: [UInt8], type: String?) {
        guard !bytes.isEmpty else { return nil }
        self.init(bytes: bytes, base64: Base64.encode(bytes), type: type)
    }

    private init(bytes: [UInt8], base64: String, type: String?) {
        self.base64 = base64
        byteCount = bytes.count
        hash = Hex.encode(Crypto.hash(.sha1, bytes))
        let given = type?.filter { !$0.isWhitespace } ?? ""
        self.type = given.isEmpty ? Self.sniffedType(bytes) : given
        (width, height) = Self.dimensions(bytes) ?? (nil, nil)
    }

    /// The vCard's photo (XEP-0153: the first PHOTO with a BINVAL).
    public init?(vCard: XMLElement) {
        let ns = Self.vCardNS
        guard let photo = vCard.child("PHOTO", namespace: ns), let value = photo.child("BINVAL", namespace: ns)?.text else { return nil }
        self.init(base64: value, type: photo.child("TYPE", namespace: ns)?.text)
    }

    /// `<PHOTO><TYPE/><BINVAL/></PHOTO>` for a vCard.
    public var vCardPhoto: XMLElement {
        let ns = Self.vCardNS
        return XMLElement("PHOTO", namespace: ns, children: [.element(Self.text("TYPE", ns, type)), .element(Self.text("BINVAL", ns, base64))])
    }

    /// The vCard stored as `xml` (none: an empty one) with `image` as its only photo, or
    /// without a photo (nil); everything else in it kept.
    public static func vCard(_ xml: String?, photo image: AvatarImage?) -> XMLElement {
        var vCard = xml.flatMap { try? XMLStreamParser.parseStanza($0, namespace: NS.client) } ?? XMLElement("vCard", namespace: vCardNS)
        vCard.removeChildren("PHOTO", namespace: vCardNS)
        if let image { vCard.append(image.vCardPhoto) }
        return vCard
    }

    /// The XEP-0084 data item payload.
    public var data: XMLElement {
        Self.text("data", Self.dataNS, base64)
    }

    private static func text(_ name: String, _ namespace: String, _ value: String) -> XMLElement {
        var element = XMLElement(name, namespace: namespace)
        element.append(text: value)
        return element
    }

    /// The XEP-0084 metadata item payload: one `<info/>` for this image.
    public var metadata: XMLElement {
        var info = XMLElement("info", namespace: Self.metadataNS, attributes: ["id": hash, "bytes": "\(byteCount)", "type": type])
        if let width, let height {
            info[attribute: "width"] = "\(width)"
            info[attribute: "height"] = "\(height)"
        }
        return XMLElement("metadata", namespace: Self.metadataNS, children: [.element(info)])
    }

    private static func sniffedType(_ bytes: [UInt8]) -> String {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8 ..< 12]) == Array("WEBP".utf8) { return "image/webp" }
        return "application/octet-stream"
    }

    /// Width and height where the header holds them at a fixed place (PNG, GIF); nil otherwise.
    private static func dimensions(_ bytes: [UInt8]) -> (Int, Int)? {
        func bigEndian(_ at: Int) -> Int { bytes[at ..< at + 4].reduce(0) { $0 << 8 | Int($1) } }
        func littleEndian16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        if bytes.count >= 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), Array(bytes[12 ..< 16]) == Array("IHDR".utf8) {
            return (bigEndian(16), bigEndian(20))
        }
        if bytes.count >= 10, bytes.starts(with: Array("GIF8".utf8)) {
            return (littleEndian16(6), littleEndian16(8))
        }
        return nil
    }
}
