import Foundation

/// Validation and normalisation of the three JID parts: an approximation of RFC 7622
/// (PRECIS) without ICU profiles. ASCII input, the common case, takes a fast path.
enum JIDPart {
    /// Largest normalised part in bytes of UTF-8.
    static let maxBytes = 1023
    /// Largest raw part accepted for normalisation (composition shrinks text at most about 3×).
    static let maxInputBytes = 3 * maxBytes

    /// Localpart: lowercased, NFC; no whitespace, controls or `" & ' / : < > @`.
    static func localpart(_ part: Substring) throws(JIDError) -> String {
        try checkInputLength(part, error: .invalidLocalpart)
        let normalized: String
        if part.utf8.allSatisfy({ $0 < 0x80 }) {
            guard part.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F && !isForbiddenInLocalpart($0) }) else {
                throw .invalidLocalpart
            }
            normalized = asciiLowercased(part)
        } else {
            normalized = nfc(part.lowercased())
            guard normalized.unicodeScalars.allSatisfy({ scalar in
                !isSpaceOrControl(scalar) && !(scalar.isASCII && isForbiddenInLocalpart(UInt8(scalar.value)))
            }) else { throw .invalidLocalpart }
        }
        try checkOutputLength(normalized)
        return normalized
    }

    /// Domainpart: lowercased, NFC, final dot removed, non-empty labels of host-name characters,
    /// or an IPv6 literal in brackets.
    static func domainpart(_ part: Substring) throws(JIDError) -> String {
        try checkInputLength(part, error: .invalidDomainpart)
        var part = part
        if part.utf8.last == UInt8(ascii: ".") {
            part = part.dropLast()
        }
        if part.utf8.first == UInt8(ascii: "[") {
            guard part.utf8.last == UInt8(ascii: "]"), IPv6Literal.isValid(part.dropFirst().dropLast()) else {
                throw .invalidDomainpart
            }
            return asciiLowercased(part)
        }
        let normalized: String
        if part.utf8.allSatisfy({ $0 < 0x80 }) {
            normalized = asciiLowercased(part)
        } else {
            normalized = nfc(String(String.UnicodeScalarView(part.unicodeScalars.map(mapLabelSeparator))).lowercased())
        }
        guard !normalized.isEmpty,
              normalized.unicodeScalars.allSatisfy(isAllowedInDomain),
              !normalized.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).contains(where: \.isEmpty)
        else { throw .invalidDomainpart }
        try checkOutputLength(normalized)
        return normalized
    }

    /// Resourcepart: NFC, case kept, other spaces mapped to U+0020; no controls.
    static func resourcepart(_ part: Substring) throws(JIDError) -> String {
        try checkInputLength(part, error: .invalidResourcepart)
        let normalized: String
        if part.utf8.allSatisfy({ $0 < 0x80 }) {
            guard part.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) else { throw .invalidResourcepart }
            normalized = String(part)
        } else {
            let spaced = part.unicodeScalars.map { scalar in
                scalar.properties.generalCategory == .spaceSeparator ? " " : scalar
            }
            normalized = nfc(String(String.UnicodeScalarView(spaced)))
            guard normalized.unicodeScalars.allSatisfy({ !isControlOrNonCharacter($0) }) else {
                throw .invalidResourcepart
            }
        }
        try checkOutputLength(normalized)
        return normalized
    }

    private static func checkInputLength(_ part: Substring, error: JIDError) throws(JIDError) {
        guard !part.isEmpty else { throw error }
        guard part.utf8.count <= maxInputBytes else { throw .tooLong }
    }

    private static func checkOutputLength(_ normalized: String) throws(JIDError) {
        guard normalized.utf8.count <= maxBytes else { throw .tooLong }
    }

    private static func isForbiddenInLocalpart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "/"), UInt8(ascii: ":"),
             UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"): true
        default: false
        }
    }

    /// Letters, digits, "-", "_" and "." in ASCII; any non-space, non-control character beyond.
    private static func isAllowedInDomain(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return !isSpaceOrControl(scalar) }
        switch UInt8(scalar.value) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): return true
        default: return false
        }
    }

    /// Ideographic and full-width full stops separate labels like "." (RFC 7622 §3.2).
    private static func mapLabelSeparator(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x3002, 0xFF0E, 0xFF61: "."
        default: scalar
        }
    }

    private static func isSpaceOrControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || isControlOrNonCharacter(scalar)
    }

    /// Controls and non-characters can never be written in XML, so no JID may hold them.
    private static func isControlOrNonCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.properties.isNoncharacterCodePoint
            || scalar.properties.generalCategory == .unassigned
    }

    private static func asciiLowercased(_ part: Substring) -> String {
        guard part.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            return String(part)
        }
        return String(decoding: part.utf8.map { byte in
            byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
        }, as: UTF8.self)
    }

    private static func nfc(_ string: String) -> String {
        string.precomposedStringWithCanonicalMapping
    }
}
