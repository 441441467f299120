/// Why the outbox refused or could not do something, worded for the operator reading the log.
public enum OutboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database could not be opened or prepared at start-up.
    case cannotOpen(path: String, reason: String, hint: String)
    /// A read or write failed once the database was open.
    case storage(path: String, operation: String, reason: String, hint: String)
    /// The file was migrated by a newer build; this one would not understand its rows.
    case schemaTooNew(path: String, found: Int, supported: Int)
    case notFound(id: String)
    /// The email is not in a state that allows `action`.
    case illegalTransition(id: String, state: MessageState, action: String, reason: String)
    case invalidArgument(String)
    /// A list cursor that this store did not hand out.
    case invalidCursor(String)
    /// A row that does not have the shape this build wrote (edited by hand, or damaged).
    case unreadableRow(table: String, column: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason, let hint):
            "cannot open the outbox database at \(path): \(reason). \(hint)"
        case .storage(let path, let operation, let reason, let hint):
            "outbox database \(path): \(operation) failed: \(reason). \(hint)"
        case .schemaTooNew(let path, let found, let supported):
            "the outbox database at \(path) has schema version \(found), but this build knows versions up to \(supported): it was written by a newer mailer. Run that version, or point MAILER_DATA_DIR at another folder"
        case .notFound(let id):
            "no email with id \(id) in the outbox"
        case .illegalTransition(let id, let state, let action, let reason):
            "cannot \(action) email \(id): it is \(state.rawValue); \(reason)"
        case .invalidArgument(let message):
            message
        case .invalidCursor(let cursor):
            "invalid list cursor \"\(cursor)\": pass back a nextCursor from an earlier page"
        case .unreadableRow(let table, let column):
            "the outbox table \(table) has a row whose \(column) cannot be read; the database may have been edited or damaged"
        }
    }
}
