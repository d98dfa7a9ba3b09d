import PostgresNIO

/// SQL assembled piece by piece (an archive query's conditions depend on its filters) with every
/// value bound: `bind` appends the value and returns its placeholder (`$1`, `$2`…). Only
/// constant text is ever appended to `sql`.
struct PostgresStatementBuilder {
    private(set) var sql = ""
    private var bindings = PostgresBindings()

    init(_ sql: String = "") {
        self.sql = sql
    }

    /// Appends constant SQL text.
    mutating func append(_ text: String) {
        sql += text
    }

    /// Binds `value` and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    /// Binds NULL and returns its placeholder.
    mutating func bindNull() -> String {
        bindings.appendNull()
        return "$\(bindings.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}
