import DKIM
import Foundation
import MIMEMessage
import Outbox
import OutboxPostgres
import SMTP

/// The whole service configuration, read once from environment variables at start-up.
public struct MailerConfiguration: Sendable {
    public var smtp: SMTPClientConfiguration
    /// The From of every message; gets `fromName` as display name when SMTP_SENDER has none.
    public var sender: EmailAddress
    public var httpHost: String
    public var httpPort: Int
    public var baseURL: String
    public var productName: String
    public var templatesDirectory: String
    /// The language of the files directly in `templates/<name>/`, and the fallback for any request.
    public var defaultLocale: LocaleTag = .english
    public var logLevel: String
    /// How many SMTP sessions, how long they live, and how fast messages go out.
    public var pool: SMTPPoolConfiguration
    /// Signs every message when DKIM_DOMAIN, DKIM_SELECTOR and a key are set.
    public var dkim: DKIMSigner?
    /// SMTP_FALLBACK_*: where an attempt goes when the primary server cannot be reached.
    public var fallbackSMTP: SMTPClientConfiguration?
    /// The largest message, attachments included, the service builds (MAILER_MAX_MESSAGE_BYTES).
    public var maximumMessageBytes = 10 * 1024 * 1024
    /// The largest request body any route reads (MAILER_MAX_BODY_BYTES): what a caller can make the
    /// service hold in memory for one request, attachments in base64 included.
    public var maximumBodyBytes = 1 << 20
    /// to, cc and bcc together (MAILER_MAX_RECIPIENTS).
    public var maximumRecipients = 50
    /// An HTTP connection with no request under way is closed after this long
    /// (MAILER_HTTP_IDLE_TIMEOUT), so idle or abandoned connections cannot pile up.
    public var httpIdleTimeout: Duration = .seconds(75)
    /// Emails one API token may queue per minute (MAILER_RATE_LIMIT_PER_MINUTE); 0: no limit.
    public var rateLimitPerMinute = 0
    /// Verification, password-reset or invitation emails one address may get per hour
    /// (MAILER_PER_RECIPIENT_PER_HOUR); 0: no limit.
    public var perRecipientPerHour = 10
    /// The hosts caller-supplied links may point to (MAILER_LINK_HOSTS); nil: any http(s) host.
    public var linkHosts: LinkHosts?
    /// Where the outbox database lives (MAILER_DATA_DIR); a volume in the compose file.
    public var dataDirectory = "./data"
    /// MAILER_DATABASE_URL: the PostgreSQL database that replicas share; nil keeps the outbox in
    /// the SQLite file in `dataDirectory`, one service per folder.
    public var databaseURL: PostgresURL?
    /// MAILER_DATABASE_LEASE: how long a replica's claim holds before another replica may send the
    /// email (one that died mid-send); longer than the slowest attempt with its wait for a connection.
    public var databaseLease: Duration = PostgresOutboxStore.defaultLeaseDuration
    /// When to try a failed email again, and when to give up.
    public var retryPolicy = RetryPolicy()
    /// How long an Idempotency-Key is remembered (MAILER_IDEMPOTENCY_TTL).
    public var idempotencyKeyLifetime: Duration = .seconds(24 * 3600)
    /// Sent, failed and cancelled emails are deleted after this long (MAILER_RETENTION_DAYS).
    public var retention: Duration = .seconds(7 * 24 * 3600)
    /// Where Prometheus scrapes `GET /metrics` (MAILER_METRICS_PORT).
    public var metricsEndpoint: MetricsEndpoint = .mainPort
    /// Who may call the API (MAILER_API_AUTH, MAILER_API_TOKENS); without tokens, a generated one.
    public var apiAuthentication: APIAuthentication = .generatedToken
    /// MAILER_LOG_FORMAT.
    public var logFormat: LogFormat = .json
    /// MAILER_LOG_RECIPIENTS: full addresses in the logs; otherwise only their domains.
    public var logRecipients = false

    /// The outbox database file inside `dataDirectory`.
    public var outboxPath: String { URL(fileURLWithPath: dataDirectory).appendingPathComponent("outbox.sqlite3").path }

    public init(
        smtp: SMTPClientConfiguration,
        sender: EmailAddress,
        httpHost: String = "0.0.0.0",
        httpPort: Int = 8080,
        baseURL: String = "http://localhost:3000",
        productName: String = "User feedback",
        templatesDirectory: String = "./templates",
        logLevel: String = "info",
        pool: SMTPPoolConfiguration = SMTPPoolConfiguration()
    ) {
        self.smtp = smtp
        self.sender = sender
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.baseURL = baseURL
        self.productName = productName
        self.templatesDirectory = templatesDirectory
        self.logLevel = logLevel
        self.pool = pool
    }

    /// Reads and validates every variable; throws all problems at once.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> MailerConfiguration {
        var env = EnvironmentReader(environment: environment)

        let primary = Self.readServer(&env, prefix: Self.primaryPrefix)
        let senderText = env.required("SMTP_SENDER", "the From address, e.g. no-reply@example.com or \"Example <no-reply@example.com>\"")
        // A second provider for when the first cannot be reached (see OutboxWorker).
        let fallback = env.string("\(Self.fallbackPrefix)HOST") == nil ? nil : Self.readServer(&env, prefix: Self.fallbackPrefix)

        let timeouts = SMTPClientConfiguration.Timeouts(
            connect: env.seconds("SMTP_CONNECT_TIMEOUT", default: .seconds(10)),
            greeting: env.seconds("SMTP_GREETING_TIMEOUT", default: .seconds(10)),
            command: env.seconds("SMTP_COMMAND_TIMEOUT", default: .seconds(30)),
            dataCompletion: env.seconds("SMTP_DATA_TIMEOUT", default: .seconds(60))
        )

        // Providers refuse or throttle clients that open more sessions (Gmail: 10; many relays fewer).
        let poolSize = env.integer("SMTP_POOL_SIZE", in: 1...100, default: 4)
        let poolMaximumMessages = env.integer("SMTP_POOL_MAX_MESSAGES", in: 1...100_000, default: 100)
        let poolIdleTimeout = env.seconds("SMTP_POOL_IDLE_SECONDS", default: .seconds(30))
        let rateLimit = env.rate("SMTP_RATE_LIMIT")
        let heloName = env.string("MAILER_HELO_NAME")
        if let heloName, !Self.isValidHeloName(heloName) {
            env.problem("MAILER_HELO_NAME", "must be a host name such as mail.example.com or an address literal such as [192.0.2.1], got \"\(heloName)\"")
        }
        let httpPort = env.port("MAILER_PORT", required: false, default: 8080)
        let httpHost = env.string("MAILER_HOST") ?? "0.0.0.0"
        let metricsEndpoint = Self.readMetricsEndpoint(&env, httpPort: httpPort)
        let baseURL = env.string("MAILER_BASE_URL") ?? env.string("ADMIN_WEB_URL") ?? "http://localhost:3000"
        if let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil {
        } else {
            env.problem(env.string("MAILER_BASE_URL") == nil ? "ADMIN_WEB_URL" : "MAILER_BASE_URL", "must be an http(s) URL such as https://app.example.com, got \"\(baseURL)\"")
        }
        let productName = env.string("MAILER_FROM_NAME") ?? "User feedback"
        let templatesDirectory = env.string("MAILER_TEMPLATES_DIR") ?? "./templates"
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: templatesDirectory, isDirectory: &isDirectory) || !isDirectory.boolValue {
            env.problem("MAILER_TEMPLATES_DIR", "must be the folder holding the .mustache templates; \(templatesDirectory) is not a directory")
        }
        let localeText = env.string("MAILER_DEFAULT_LOCALE") ?? "en"
        let defaultLocale = LocaleTag(localeText)
        if defaultLocale == nil {
            env.problem("MAILER_DEFAULT_LOCALE", "must be \(LocaleTag.example), got \"\(localeText)\"")
        }
        let logLevel = (env.string("MAILER_LOG_LEVEL") ?? "info").lowercased()
        if !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) {
            env.problem("MAILER_LOG_LEVEL", "must be one of trace, debug, info, notice, warning, error, critical, got \"\(logLevel)\"")
        }
        let logFormatText = (env.string("MAILER_LOG_FORMAT") ?? "json").lowercased()
        let logFormat = LogFormat(rawValue: logFormatText)
        if logFormat == nil {
            env.problem("MAILER_LOG_FORMAT", "must be json (one JSON object per line) or text (logfmt), got \"\(logFormatText)\"")
        }
        let logRecipients = env.bool("MAILER_LOG_RECIPIENTS", default: false)

        let dkim = Self.readDKIM(&env)
        let apiAuthentication = APIAuthentication.read(&env)
        let dataDirectory = env.string("MAILER_DATA_DIR") ?? "./data"
        var databaseURL: PostgresURL?
        if let text = env.string("MAILER_DATABASE_URL") {
            do {
                databaseURL = try PostgresURL(parsing: text)
            } catch {
                env.problem("MAILER_DATABASE_URL", error.problem)
            }
        }
        let databaseLease = env.duration("MAILER_DATABASE_LEASE", default: PostgresOutboxStore.defaultLeaseDuration)
        if databaseLease < .seconds(10) {
            env.problem("MAILER_DATABASE_LEASE", "must be at least 10s: a lease shorter than one SMTP attempt sends emails twice, got \(databaseLease)")
        }
        let retryBase = env.seconds("MAILER_RETRY_BASE_SECONDS", default: .seconds(30))
        let maximumAttempts = env.integer("MAILER_MAX_ATTEMPTS", in: 1...100, default: 10)
        let maximumAge = env.duration("MAILER_MAX_AGE", default: .seconds(24 * 3600))
        let idempotencyTTL = env.duration("MAILER_IDEMPOTENCY_TTL", default: .seconds(24 * 3600))
        let retentionDays = env.integer("MAILER_RETENTION_DAYS", in: 1...3650, default: 7)
        // Providers cap messages at 10 MB (SES 10, Gmail 25, Office 365 35 after encoding).
        let maximumMessageBytes = env.integer("MAILER_MAX_MESSAGE_BYTES", in: 10_000...100_000_000, default: 10 * 1024 * 1024)
        // The body is read whole into memory before anything is checked: kept small by default.
        let maximumBodyBytes = env.integer("MAILER_MAX_BODY_BYTES", in: 1024...200_000_000, default: 1 << 20)
        let maximumRecipients = env.integer("MAILER_MAX_RECIPIENTS", in: 1...1000, default: 50)
        // Longer than the 60 s load balancers (AWS ALB, nginx upstreams) keep idle connections, so
        // the balancer closes first and never sends on a connection this side is closing.
        let httpIdleTimeout = env.seconds("MAILER_HTTP_IDLE_TIMEOUT", default: .seconds(75))
        let rateLimitPerMinute = env.integer("MAILER_RATE_LIMIT_PER_MINUTE", in: 0...1_000_000, default: 0)
        let perRecipientPerHour = env.integer("MAILER_PER_RECIPIENT_PER_HOUR", in: 0...100_000, default: 10)
        let linkHosts = env.string("MAILER_LINK_HOSTS").flatMap { text -> LinkHosts? in
            let parsed = LinkHosts.parse(text)
            for problem in parsed.problems { env.problem("MAILER_LINK_HOSTS", problem) }
            return parsed.hosts
        }

        var sender: EmailAddress?
        if let senderText {
            do {
                let parsed = try EmailAddress(parsing: senderText)
                sender = parsed.displayName == nil ? try EmailAddress(address: parsed.address, displayName: productName) : parsed
            } catch {
                env.problem("SMTP_SENDER", "is not a valid address (\(error.reason)): use an address such as no-reply@example.com or \"Example <no-reply@example.com>\", got \"\(senderText)\"")
            }
        }

        guard env.problems.isEmpty, var smtp = primary, let sender else {
            throw ConfigurationError(problems: env.problems)
        }
        smtp.heloName = heloName
        smtp.timeouts = timeouts
        let fallbackSMTP = fallback.map { server -> SMTPClientConfiguration in
            var server = server
            server.heloName = heloName
            server.timeouts = timeouts
            return server
        }

        var configuration = MailerConfiguration(
            smtp: smtp,
            sender: sender,
            httpHost: httpHost,
            httpPort: httpPort,
            baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL,
            productName: productName,
            templatesDirectory: templatesDirectory,
            logLevel: logLevel,
            pool: SMTPPoolConfiguration(
                size: poolSize,
                maximumMessagesPerConnection: poolMaximumMessages,
                idleTimeout: poolIdleTimeout,
                rateLimit: rateLimit
            )
        )
        configuration.defaultLocale = defaultLocale ?? .english
        configuration.dkim = dkim
        configuration.fallbackSMTP = fallbackSMTP
        configuration.maximumMessageBytes = maximumMessageBytes
        configuration.maximumBodyBytes = maximumBodyBytes
        configuration.maximumRecipients = maximumRecipients
        configuration.httpIdleTimeout = httpIdleTimeout
        configuration.rateLimitPerMinute = rateLimitPerMinute
        configuration.perRecipientPerHour = perRecipientPerHour
        configuration.linkHosts = linkHosts
        configuration.dataDirectory = dataDirectory
        configuration.databaseURL = databaseURL
        configuration.databaseLease = databaseLease
        configuration.retryPolicy = RetryPolicy(baseDelay: retryBase, maximumAttempts: maximumAttempts, maximumAge: maximumAge)
        configuration.idempotencyKeyLifetime = idempotencyTTL
        configuration.retention = .seconds(retentionDays * 24 * 3600)
        configuration.metricsEndpoint = metricsEndpoint
        configuration.apiAuthentication = apiAuthentication
        configuration.logFormat = logFormat ?? .json
        configuration.logRecipients = logRecipients
        return configuration
    }

    /// Unset: /metrics on MAILER_PORT; a port: on that port alone; `off`: nowhere.
    private static func readMetricsEndpoint(_ env: inout EnvironmentReader, httpPort: Int) -> MetricsEndpoint {
        guard let value = env.string("MAILER_METRICS_PORT") else { return .mainPort }
        if value.lowercased() == "off" { return .off }
        guard let port = Int(value), (1...65535).contains(port) else {
            env.problem("MAILER_METRICS_PORT", "must be a port number from 1 to 65535 (/metrics on that port only) or off (no /metrics); leave it unset for /metrics on MAILER_PORT, got \"\(value)\"")
            return .mainPort
        }
        if port == httpPort {
            env.problem("MAILER_METRICS_PORT", "must differ from MAILER_PORT (\(httpPort)); leave it unset to serve /metrics on MAILER_PORT")
        }
        return .port(port)
    }

    /// One variable read as `fromEnvironment` reads it (`<NAME>_FILE` included), for commands
    /// that need a single setting, not a whole configuration.
    public static func value(of name: String, in environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> String? {
        var env = EnvironmentReader(environment: environment)
        let value = env.string(name)
        guard env.problems.isEmpty else { throw ConfigurationError(problems: env.problems) }
        return value
    }

    /// All of DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE, the
    /// `_FILE` form every variable has), or none.
    private static func readDKIM(_ env: inout EnvironmentReader) -> DKIMSigner? {
        let domain = env.string("DKIM_DOMAIN")
        let selector = env.string("DKIM_SELECTOR")
        let key = env.raw("DKIM_PRIVATE_KEY")
        let keyGiven = env.isGiven("DKIM_PRIVATE_KEY")
        guard domain != nil || selector != nil || keyGiven else { return nil }
        if domain == nil { env.problem("DKIM_DOMAIN", "is required for DKIM signing: the domain that signs, usually the sender's, e.g. example.com") }
        if selector == nil { env.problem("DKIM_SELECTOR", "is required for DKIM signing: the selector of the DNS record <selector>._domainkey.<domain>, e.g. mail2026") }
        if let domain, !isValidHeloName(domain) || domain.hasPrefix("[") {
            env.problem("DKIM_DOMAIN", "must be a domain name such as example.com, got \"\(domain)\"")
        }
        if let selector, selector.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_")) }) {
            env.problem("DKIM_SELECTOR", "must be letters, digits, '-', '_' or '.', got \"\(selector)\"")
        }
        if !keyGiven {
            env.problem("DKIM_PRIVATE_KEY", "is required for DKIM signing: the PEM private key, or set DKIM_PRIVATE_KEY_FILE to a file holding it")
        }
        // Env files often carry the PEM on one line with literal \n; a PEM file has none.
        guard keyGiven, let pem = key?.replacingOccurrences(of: "\\n", with: "\n") else { return nil }
        do {
            let key = try DKIMPrivateKey(pem: pem)
            guard let domain, let selector else { return nil }
            return DKIMSigner(domain: domain.lowercased(), selector: selector, key: key)
        } catch {
            env.problem("DKIM_PRIVATE_KEY", "\(error)")
            return nil
        }
    }

    /// The primary SMTP server's variables begin with SMTP_; the fallback's are the same names
    /// with FALLBACK_ after it (SMTP_FALLBACK_HOST, SMTP_FALLBACK_PORT, ...; .env.example lists
    /// each). Built from the primary's, as that is the rule `fallbackVariable(_:)` undoes: no
    /// variable of that bare name is read.
    static let primaryPrefix = "SMTP_"
    static let fallbackPrefix = primaryPrefix + "FALLBACK_"

    /// The fallback's name for a primary server's variable (SMTP_PORT: SMTP_FALLBACK_PORT), so
    /// that a problem found in the fallback's settings names what the operator set.
    static func fallbackVariable(_ variable: String) -> String {
        variable.hasPrefix(primaryPrefix) ? fallbackPrefix + variable.dropFirst(primaryPrefix.count) : variable
    }

    /// One SMTP server's variables: `prefix` is `primaryPrefix` or `fallbackPrefix`, the fallback
    /// taking the same variables. Nil when a required one is missing.
    static func readServer(_ env: inout EnvironmentReader, prefix: String) -> SMTPClientConfiguration? {
        let p = prefix
        let host = env.required("\(p)HOST", "the SMTP server's host name, e.g. smtp.example.com (mailpit in the compose file)")
        let port = env.port("\(p)PORT", required: true, default: 587)
        let implicitTLS = env.bool("\(p)TLS", default: false)
        let opportunisticTLS = env.bool("\(p)OPPORTUNISTIC_TLS", default: true)
        let skipVerify = env.bool("\(p)TLS_SKIP_VERIFY", default: false)
        let allowInsecureAuth = env.bool("\(p)ALLOW_INSECURE_AUTH", default: false)
        let cipherSpec = env.string("\(p)CIPHER_SPEC") ?? "TLSv1.2"
        let caFile = env.string("\(p)CA_FILE")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            env.problem("\(p)CA_FILE", "must be a readable PEM file of CA certificates to trust; cannot read \(caFile)")
        }

        let requireStartTLS = env.bool("\(p)REQUIRE_STARTTLS", default: false)
        if requireStartTLS, !implicitTLS, !opportunisticTLS {
            env.problem("\(p)REQUIRE_STARTTLS", "cannot be true with \(p)OPPORTUNISTIC_TLS=false: set \(p)OPPORTUNISTIC_TLS=true to upgrade with STARTTLS, or \(p)REQUIRE_STARTTLS=false")
        }

        let username = env.string("\(p)USERNAME")
        let password = env.raw("\(p)PASSWORD")
        // An unreadable SMTP_PASSWORD_FILE is reported as such, not as a missing password.
        let passwordGiven = password != nil || env.isGiven("\(p)PASSWORD")
        // Unlike a password, a bearer token never holds meaningful spaces; a stray CR from an env file would break it.
        let oauth2Token = env.string("\(p)OAUTH2_TOKEN")
        if oauth2Token != nil {
            // XOAUTH2 logs in with the account name and the token; a password is not needed.
            if username == nil {
                env.problem("\(p)USERNAME", "is required when \(p)OAUTH2_TOKEN is set: XOAUTH2 needs the mailbox the token was issued for")
            }
        } else if (username != nil) != passwordGiven {
            env.problem(
                username == nil ? "\(p)USERNAME" : "\(p)PASSWORD",
                "is required when \(username == nil ? "\(p)PASSWORD" : "\(p)USERNAME") is set: AUTH needs both (or neither, for servers without login)"
            )
        }
        guard let host else { return nil }
        var smtp = SMTPClientConfiguration(
            host: host,
            port: port,
            security: implicitTLS ? .implicitTLS : (opportunisticTLS ? .startTLSWhenOffered : .plaintext),
            credentials: username.flatMap { user in
                (password ?? (oauth2Token != nil ? "" : nil)).map { .init(username: user, password: $0) }
            }
        )
        smtp.requireStartTLS = requireStartTLS
        smtp.oauth2Token = oauth2Token.map(SMTPClientConfiguration.OAuth2Token.init)
        smtp.allowInsecureAuth = allowInsecureAuth
        smtp.tls = .init(cipherSpec: cipherSpec, caFile: caFile, skipVerify: skipVerify)
        return smtp
    }

    static func isValidHeloName(_ name: String) -> Bool {
        if name.hasPrefix("[") && name.hasSuffix("]") { return name.count > 2 && !name.contains(" ") }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && name.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// The effective configuration as log metadata: the password never appears, only whether it is set.
    public var redactedSummary: [String: String] {
        var summary: [String: String] = [
            "smtp_host": smtp.host,
            "smtp_port": "\(smtp.port)",
            "smtp_sender": sender.description,
            "smtp_security": {
                switch smtp.security {
                case .implicitTLS: "implicit TLS (SMTP_TLS=true)"
                case .startTLSWhenOffered: "STARTTLS when offered"
                case .plaintext: "plaintext"
                }
            }(),
            "smtp_username": smtp.credentials?.username ?? "(none)",
            "smtp_password": smtp.credentials == nil || smtp.credentials?.password == "" ? "(none)" : "<redacted>",
            "smtp_oauth2_token": smtp.oauth2Token == nil ? "(none)" : "<redacted>",
            "smtp_require_starttls": smtp.requireStartTLS ? "true" : "false",
            "smtp_cipher_spec": smtp.tls.cipherSpec,
            "smtp_tls_verify": smtp.tls.skipVerify ? "off" : "on",
            "smtp_pool_size": "\(pool.size)",
            "smtp_pool_max_messages": "\(pool.maximumMessagesPerConnection)",
            "smtp_pool_idle_seconds": "\(pool.idleTimeout)",
            "smtp_rate_limit": pool.rateLimit.map { "\($0) messages/s" } ?? "none",
            "mailer_port": "\(httpPort)",
            "mailer_metrics": "\(metricsEndpoint)",
            "mailer_base_url": baseURL,
            "mailer_from_name": productName,
            "mailer_templates_dir": templatesDirectory,
            "mailer_default_locale": "\(defaultLocale)",
            "mailer_max_message_bytes": "\(maximumMessageBytes)",
            "mailer_max_body_bytes": "\(maximumBodyBytes)",
            "mailer_max_recipients": "\(maximumRecipients)",
            "mailer_http_idle_timeout": "\(httpIdleTimeout)",
            "mailer_rate_limit_per_minute": rateLimitPerMinute == 0 ? "off" : "\(rateLimitPerMinute)",
            "mailer_per_recipient_per_hour": perRecipientPerHour == 0 ? "off" : "\(perRecipientPerHour)",
            "mailer_link_hosts": linkHosts.map { $0.patterns.joined(separator: ",") } ?? "any",
            "mailer_data_dir": dataDirectory,
            "mailer_database": databaseURL.map { "PostgreSQL \($0), claims leased for \(databaseLease)" } ?? "SQLite in MAILER_DATA_DIR",
            "mailer_api_auth": apiAuthentication.summary,
            "mailer_log_level": logLevel,
            "mailer_log_format": logFormat.rawValue,
            "mailer_log_recipients": logRecipients ? "true" : "false",
            "mailer_retry": "from \(retryPolicy.baseDelay), doubling to \(retryPolicy.maximumDelay), at most \(retryPolicy.maximumAttempts) attempts within \(retryPolicy.maximumAge)",
        ]
        if let caFile = smtp.tls.caFile { summary["smtp_ca_file"] = caFile }
        if let fallback = fallbackSMTP {
            let security = fallback.security == .implicitTLS ? "implicit TLS" : fallback.security == .plaintext ? "plaintext" : "STARTTLS when offered"
            summary["smtp_fallback"] = "\(fallback.host):\(fallback.port) (\(security)), user \(fallback.credentials?.username ?? "(none)"), password \(fallback.credentials == nil || fallback.credentials?.password == "" ? "(none)" : "<redacted>")"
        }
        if let dkim {
            summary["dkim"] = "\(dkim.key.algorithm) d=\(dkim.domain) s=\(dkim.selector)"
        } else {
            summary["dkim"] = "off"
        }
        if let helo = smtp.heloName { summary["mailer_helo_name"] = helo }
        return summary
    }
}
