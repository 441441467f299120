/// The `?` lists of statements that work on a whole batch at once.
enum SQLList {
    /// `?, ?, ?` for an `IN (...)` of `count` values.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// `row, row, row` for a multi-row `VALUES` of `count` rows shaped like `row`, e.g. `(?, ?)`.
    static func rows(_ count: Int, _ row: String) -> String {
        Array(repeating: row, count: count).joined(separator: ", ")
    }
}
