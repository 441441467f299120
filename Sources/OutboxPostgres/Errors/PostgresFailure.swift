import NIOSSL
import Outbox
import PostgresNIO

/// A PostgresNIO error in the operator's words: what the server or the network said and the
/// likely fix. PSQLError's own description hides everything (so as not to leak data into logs);
/// this reads only the fields that carry no row values or credentials.
struct PostgresFailure {
    var reason: String
    var hint: String
    /// The server refused the statement (a constraint, a serialization failure); the connection
    /// itself is fine, so a batch can be retried job by job.
    var isStatementError: Bool
    var sqlState: String?
    /// The constraint the statement broke, when it broke one.
    var constraint: String?

    static let uniqueViolation = "23505"

    init(_ error: any Error) {
        let error = Self.unwrap(error)
        guard let psql = error as? PSQLError else {
            if let outbox = error as? OutboxError {
                reason = "\(outbox)"
            } else {
                reason = String(describing: error)
            }
            hint = "See the reason above."
            isStatementError = false
            sqlState = nil
            constraint = nil
            return
        }
        if let server = psql.serverInfo {
            let state = server[.sqlState]
            sqlState = state
            constraint = server[.constraintName]
            var text = server[.message] ?? "the server refused the statement"
            if let constraint = server[.constraintName] { text += " (constraint \(constraint))" }
            if let state { text += " [SQLSTATE \(state)]" }
            reason = text
            isStatementError = true
            switch state?.prefix(2) {
            case "28":
                hint = "Check the user name and password in MAILER_DATABASE_URL and the server's pg_hba.conf."
                isStatementError = false
            case "3D":
                hint = "Create the database (createdb) or fix its name in MAILER_DATABASE_URL."
                isStatementError = false
            case "53":
                hint = "The PostgreSQL server is out of a resource (disk, memory or connections); free some or raise its limits."
            case "42":
                hint = "The outbox tables are not what this build expects; check that no other program changed them."
            default:
                hint = server[.hint] ?? "Check the PostgreSQL server's log for the statement."
            }
            return
        }
        sqlState = nil
        constraint = nil
        isStatementError = false
        if let underlying = psql.underlying, underlying is NIOSSLError || underlying is NIOSSLExtraError {
            reason = "the TLS handshake with the server failed (\(underlying))"
            hint = "With sslmode=verify-full the server's certificate must chain to a trusted root (the system's, or sslrootcert's) and name the URL's host; sslmode=require encrypts without checking it."
            return
        }
        switch psql.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            reason = "cannot talk to the PostgreSQL server (\(psql.code)\(psql.underlying.map { ": \($0)" } ?? ""))"
            hint = "Check that the server runs and is reachable at the host and port of MAILER_DATABASE_URL."
        case .sslUnsupported:
            reason = "the server does not offer TLS, and sslmode asks for it"
            hint = "Turn on ssl in postgresql.conf, or use sslmode=disable on a trusted network."
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            reason = "the TLS handshake with the server failed (\(psql.code)\(psql.underlying.map { ": \($0)" } ?? ""))"
            hint = "With sslmode=verify-full the server's certificate must chain to a trusted root (the system's, or sslrootcert's) and name the URL's host; sslmode=require encrypts without checking it."
        case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
            reason = "the server asked for an authentication the client cannot give (\(psql.code))"
            hint = "Put the password in MAILER_DATABASE_URL (postgres://user:password@host/db); md5 and scram-sha-256 are supported."
        case .poolClosed:
            reason = "the outbox's connections are closed"
            hint = "The service is stopping; the operation was not done."
        default:
            reason = "\(psql.code)\(psql.underlying.map { ": \($0)" } ?? "")"
            hint = "Check the PostgreSQL server's log."
        }
    }

    var isUniqueViolation: Bool { sqlState == Self.uniqueViolation }

    /// The error a transaction throws wraps the closure's (or BEGIN's, or COMMIT's).
    static func unwrap(_ error: any Error) -> any Error {
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError {
                return unwrap(inner)
            }
        }
        return error
    }
}
