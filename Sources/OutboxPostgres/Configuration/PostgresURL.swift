import Foundation

/// MAILER_DATABASE_URL, taken apart: `postgres://user:password@host:port/database?sslmode=...`.
///
/// Its `description` hides the password, so the URL can go into logs and errors as it is.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values that make sense for a client that cannot read certificate files.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP; only for a database on loopback or a private network.
        case disable
        /// TLS when the server offers it, plain TCP otherwise; the certificate is not checked.
        case prefer
        /// TLS or no connection; the certificate is not checked (encryption, no authentication).
        case require
        /// TLS with the certificate checked against the system's trusted roots and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode

    /// The variable the URL comes from, named in every error about it.
    public static let variable = "MAILER_DATABASE_URL"

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, sslMode: SSLMode = .prefer) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// Parses the URL, or says what is wrong with it and what a valid one looks like; the
    /// message never repeats the password.
    public init(parsing text: String) throws(PostgresURLError) {
        let example = "postgres://mailer:secret@db.internal:5432/mailer?sslmode=require"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw PostgresURLError("is not a URL; write it as \(example)")
        }
        let shown = Self.redacting(text)
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresURLError("starts with \"\(scheme)://\" (\(shown)); it must start with postgres:// or postgresql://, e.g. \(example)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresURLError("has no host (\(shown)); e.g. \(example)")
        }
        guard let username = components.user, !username.isEmpty else {
            throw PostgresURLError("has no user name (\(shown)); put it before the host: postgres://USER:PASSWORD@\(host)/DATABASE")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresURLError("names no database (\(shown)); put it after the host: postgres://\(username)@\(host)/DATABASE")
        }
        var sslMode = SSLMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                    throw PostgresURLError(
                        "has sslmode=\(item.value ?? "") (\(shown)); use one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            default:
                throw PostgresURLError("has the parameter \(item.name), which the mailer does not understand (\(shown)); only sslmode is supported")
            }
        }
        self.init(
            host: host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host,
            port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? username,
            password: components.password?.removingPercentEncoding ?? components.password,
            database: database.removingPercentEncoding ?? database,
            sslMode: sslMode)
    }

    /// The URL with the password replaced by `***`: what logs and errors show.
    public var description: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password == nil ? nil : "***"
        components.host = host.contains(":") ? "[\(host)]" : host
        components.port = port
        components.path = "/" + database
        components.queryItems = [URLQueryItem(name: "sslmode", value: sslMode.rawValue)]
        return components.string ?? "postgres://\(username)@\(host):\(port)/\(database)"
    }

    /// Hides the password of a URL that may not parse, so that an error about it can quote it.
    static func redacting(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let rest = text[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return text }
        let credentials = rest[..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(rest[at...])
    }
}

/// What is wrong with MAILER_DATABASE_URL, worded to be printed after the variable's name.
public struct PostgresURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problem: String

    init(_ problem: String) {
        self.problem = problem
    }

    public var description: String { "\(PostgresURL.variable) \(problem)" }
}
