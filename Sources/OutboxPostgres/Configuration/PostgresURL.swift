import Foundation

/// MAILER_DATABASE_URL, taken apart: `postgres://user:password@host:port/database?sslmode=...`.
///
/// Its `description` hides the password, so the URL can go into logs and errors as it is.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
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
    /// `sslrootcert`: a PEM file of the certificate authorities to trust instead of the system's
    /// (a private CA, a cloud provider's bundle). With it, `require` checks the chain too (not the
    /// host name), as libpq does.
    public var sslRootCertificate: String?

    /// The variable the URL comes from, named in every error about it.
    public static let variable = "MAILER_DATABASE_URL"

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, sslMode: SSLMode = .prefer, sslRootCertificate: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.sslRootCertificate = sslRootCertificate
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
        var sslRootCertificate: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                    throw PostgresURLError(
                        "has sslmode=\(item.value ?? "") (\(shown)); use one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else {
                    throw PostgresURLError("has an empty sslrootcert (\(shown)); give the path of a PEM file of CA certificates")
                }
                sslRootCertificate = value
            default:
                throw PostgresURLError("has the parameter \(item.name), which the mailer does not understand (\(shown)); only sslmode and sslrootcert are supported")
            }
        }
        self.init(
            host: host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host,
            port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? username,
            password: components.password?.removingPercentEncoding ?? components.password,
            database: database.removingPercentEncoding ?? database,
            sslMode: sslMode,
            sslRootCertificate: sslRootCertificate)
        if sslMode == .disable, sslRootCertificate != nil {
            throw PostgresURLError("has sslrootcert with sslmode=disable (\(shown)); use sslmode=verify-full to check the server's certificate against it")
        }
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
            + (sslRootCertificate.map { [URLQueryItem(name: "sslrootcert", value: $0)] } ?? [])
        return components.string ?? "postgres://\(username)@\(host):\(port)/\(database)"
    }

    public var debugDescription: String { description }

    /// dump() and debuggers show the parts, the password as `***`.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "username": username, "password": password == nil ? "nil" : "***",
            "database": database, "sslMode": sslMode, "sslRootCertificate": sslRootCertificate as Any,
        ])
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
