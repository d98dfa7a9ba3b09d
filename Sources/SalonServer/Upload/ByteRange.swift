/// What a GET's `Range` header (RFC 9110 §14) asks of a file of `size` bytes. Single byte
/// ranges only (resume and seek); a list of ranges is answered with the whole file, which the
/// RFC allows; another unit is ignored.
enum ByteRange: Equatable {
    case whole
    case part(ClosedRange<Int64>)
    /// 416, with `Content-Range: bytes */size`: past the end, or a byte range that does not parse.
    case unsatisfiable

    init(header: String?, size: Int64) {
        guard let header, size > 0 else { self = .whole; return }
        guard header.utf8.count <= 64, header.lowercased().hasPrefix("bytes=") else {
            self = header.lowercased().hasPrefix("bytes=") ? .unsatisfiable : .whole
            return
        }
        let spec = header.dropFirst(6).filter { $0 != " " }
        if spec.contains(",") { self = .whole; return }
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2 else { self = .unsatisfiable; return }
        let first = Self.number(bounds[0])
        let last = Self.number(bounds[1])
        switch (bounds[0].isEmpty, bounds[1].isEmpty) {
        case (true, false):
            // The last n bytes.
            guard let count = last, count > 0 else { self = .unsatisfiable; return }
            self = .part(max(0, size - count)...(size - 1))
        case (false, true):
            guard let start = first, start < size else { self = .unsatisfiable; return }
            self = .part(start...(size - 1))
        case (false, false):
            guard let start = first, let end = last, start <= end, start < size else { self = .unsatisfiable; return }
            self = .part(start...min(end, size - 1))
        case (true, true):
            self = .unsatisfiable
        }
    }

    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(text)
    }
}
