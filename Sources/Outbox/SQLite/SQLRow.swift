/// One result row; the column names are shared by every row of a statement.
struct SQLRow: Sendable {
    let names: [String]
    let values: [SQLValue]

    /// The value of the column called `name` (as the statement named it), nil when there is none.
    func column(_ name: String) -> SQLValue? {
        guard let index = names.firstIndex(of: name) else { return nil }
        return values[index]
    }
}
