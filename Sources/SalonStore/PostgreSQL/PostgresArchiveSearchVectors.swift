import NIOCore
import PostgresNIO

/// The search vectors of a batch's bodies, built before the batch is inserted by a pooled
/// connection of their own, so PostgreSQL parses the next batch's bodies while the batch
/// before is inserted and committed on another (the insert runs with its rooms' counter rows
/// locked: what it does there, it does one batch at a time). They are built the way the
/// `room_messages` triggers would build them, with the configuration `room_search` names, and
/// carried back to the insert as the `tsvector[]` PostgreSQL sent, in its binary form, never
/// decoded here. The insert stores them only when that configuration still holds; otherwise,
/// or when there are none, it builds them itself (`PostgresArchiveInsert`).
struct PostgresArchiveSearchVectors: Sendable {
    /// The configuration the vectors were built with; empty when there are none.
    let configuration: String
    /// One vector per body, in the batch's order: a binary `tsvector[]`.
    let array: Array

    /// No vectors: the insert builds every one.
    static let notBuilt = Self(configuration: "", array: .empty)

    /// The vectors of `bodies`, or none if the database could not build them.
    static func build(_ bodies: [String], _ access: PostgresAccess) async -> Self {
        guard !bodies.isEmpty else { return .notBuilt }
        do {
            guard let (configuration, array) = try await access.execute(Build(bodies: bodies)).first,
                  array.count == bodies.count else { return .notBuilt }
            return Self(configuration: configuration, array: array)
        } catch {
            access.logger.debug("archive search vectors not built ahead, the insert builds them: \(PostgresAccess.storeError(error))")
            return .notBuilt
        }
    }

    /// A one-dimensional binary `tsvector[]` as PostgreSQL sends and takes it.
    struct Array: PostgresNonThrowingEncodable, PostgresDecodable, Sendable {
        static var psqlType: PostgresDataType { .tsvectorArray }
        static var psqlFormat: PostgresFormat { .binary }

        let bytes: ByteBuffer

        /// No dimensions: every row's vector is NULL once unnested beside the batch's arrays.
        static var empty: Array {
            var bytes = ByteBuffer()
            bytes.writeMultipleIntegers(Int32(0), Int32(0), PostgresDataType.tsvector.rawValue)
            return Array(bytes: bytes)
        }

        init(bytes: ByteBuffer) { self.bytes = bytes }

        init<JSONDecoder: PostgresJSONDecoder>(from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
                                               context: PostgresDecodingContext<JSONDecoder>) throws {
            guard type == .tsvectorArray, format == .binary else { throw PostgresDecodingError.Code.typeMismatch }
            bytes = buffer
        }

        /// How many vectors it holds (its header: dimensions, flags, element type, then each
        /// dimension's length and lower bound).
        var count: Int {
            guard let (dimensions, _, _) = bytes.getMultipleIntegers(at: bytes.readerIndex, as: (Int32, Int32, UInt32).self),
                  dimensions == 1, let length = bytes.getInteger(at: bytes.readerIndex + 12, as: Int32.self) else { return 0 }
            return Int(length)
        }

        func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
            byteBuffer.writeImmutableBuffer(bytes)
        }
    }

    private struct Build: PostgresPreparedStatement {
        static let sql = """
            SELECT s.configuration,
                   ARRAY(SELECT to_tsvector(s.configuration::regconfig, salon_search_text(u.body))
                         FROM unnest($1::text[]) WITH ORDINALITY AS u(body, position) ORDER BY u.position)
            FROM room_search s
            """
        typealias Row = (String, Array)
        let bodies: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(bodies)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}
