import Foundation

/// A light SASLprep (RFC 4013): spaces mapped, invisible characters dropped, then NFKC.
enum SASLprep {
    /// The bytes SCRAM feeds to PBKDF2 for `password`.
    static func passwordBytes(_ password: String) -> [UInt8] {
        // Printable ASCII is unchanged by every step, and is by far the common case.
        if password.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return Array(password.utf8) }
        var mapped = String.UnicodeScalarView()
        for scalar in password.unicodeScalars {
            if isMappedToNothing(scalar) { continue }
            mapped.append(isNonASCIISpace(scalar) ? " " : scalar)
        }
        return Array(String(mapped).precomposedStringWithCompatibilityMapping.utf8)
    }

    /// RFC 3454 table B.1.
    private static func isMappedToNothing(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AD, 0x034F, 0x1806, 0x180B...0x180D, 0x200B...0x200D, 0x2060, 0xFE00...0xFE0F, 0xFEFF: true
        default: false
        }
    }

    /// RFC 3454 table C.1.2.
    private static func isNonASCIISpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00A0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }
}
