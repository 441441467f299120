import Hummingbird
import HummingbirdCore
import Logging
import Outbox
import SMTP
import ServiceLifecycle

/// Wires configuration, templates, the SMTP client and the HTTP routes into one runnable service.
public enum MailerApplication {
    /// Fails before anything listens when templates or TLS settings are unusable.
    ///
    /// - Parameter metrics: where the service counts; `mailer serve` passes the process-wide
    ///   instance, tests a fresh one per service (the default) so that their counts stay apart.
    public static func build(
        configuration: MailerConfiguration,
        logger: Logger,
        metrics: MailerMetrics = MailerMetrics()
    ) async throws -> some ApplicationProtocol {
        try await assemble(configuration: configuration, logger: logger, metrics: metrics).application
    }

    /// The application and the routes its router serves, which the OpenAPI conformance test
    /// holds against the document (a built application no longer shows its routes). `clock` is
    /// the time the rate limits read: tests move their own instead of sleeping.
    static func assemble(
        configuration: MailerConfiguration,
        logger: Logger,
        metrics: MailerMetrics = MailerMetrics(),
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) async throws -> (application: Application<RouterResponder<BasicRequestContext>>, routes: [Router<BasicRequestContext>.RouteDescription]) {
        let catalog = try EmailTemplateCatalog(directory: configuration.templatesDirectory, defaultLocale: configuration.defaultLocale)
        let templates = TemplateStore(catalog)
        let client: SMTPClient
        do {
            client = try SMTPClient(configuration: configuration.smtp)
        } catch {
            throw ConfigurationError(problems: [ConfigurationProblem(variable: error.variable, message: error.problem)])
        }
        let (store, lock) = try await OutboxOpening.open(configuration, logger: logger)
        let pool = SMTPConnectionPool(client: client, configuration: configuration.pool, logger: logger, observer: metrics)
        var fallbackPool: SMTPConnectionPool?
        if let fallback = configuration.fallbackSMTP {
            do {
                fallbackPool = SMTPConnectionPool(client: try SMTPClient(configuration: fallback), configuration: configuration.pool, logger: logger, observer: metrics)
            } catch {
                throw ConfigurationError(problems: [ConfigurationProblem(variable: MailerConfiguration.fallbackVariable(error.variable), message: error.problem)])
            }
        }
        let waiters = DeliveryWaiters()
        let worker = OutboxWorker(store: store, pool: pool, fallback: fallbackPool, retryPolicy: configuration.retryPolicy, waiters: waiters, logger: logger,
                                  metrics: metrics, ownsStore: true, dataDirectoryLock: lock, logRecipients: configuration.logRecipients)
        var providers = [ReadinessCheck.Provider(name: .primary, pool: pool)]
        if let fallbackPool { providers.append(ReadinessCheck.Provider(name: .fallback, pool: fallbackPool)) }

        let router = Router()
        // Outermost, so refused and failed requests carry their id too.
        router.add(middleware: RequestIDMiddleware())
        // Outside ProblemMiddleware and the authentication, so that the request counter sees the
        // status the client gets (401 included).
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware())
        if let tokens = Self.apiTokens(configuration.apiAuthentication, logger: logger) {
            router.add(middleware: BearerAuthMiddleware(tokens: tokens))
        }
        HealthRoutes(readiness: ReadinessCheck(templates: templates, store: store, providers: providers)).register(on: router)
        EmailRoutes(configuration: configuration, templates: templates, store: store, worker: worker, waiters: waiters, metrics: metrics,
                    limits: SendingLimits(configuration, now: clock)).register(on: router)
        QueueRoutes(store: store, worker: worker).register(on: router)
        TemplateRoutes(configuration: configuration, templates: templates).register(on: router)
        SMTPRoutes(configuration: configuration, client: client).register(on: router)
        OpenAPIRoutes().register(on: router)

        // Stopped in reverse order: the HTTP server first, the worker (which owns the store) last;
        // a metrics server stops right after the main one, while the store it reads is still open.
        var services: [any Service] = [worker, OutboxMaintenance(store: store, retention: configuration.retention, logger: logger), TemplateReloader(store: templates, logger: logger)]
        let metricsRoutes = MetricsRoutes(metrics: metrics, store: store, pools: providers.map(\.pool), logger: logger)
        switch configuration.metricsEndpoint {
        case .mainPort:
            metricsRoutes.register(on: router)
        case .port(let port):
            services.append(metricsServer(metricsRoutes, host: configuration.httpHost, port: port, logger: logger))
        case .off:
            break
        }

        logger.info("templates loaded", metadata: catalog.logMetadata)
        if let dkim = configuration.dkim {
            // Publishing the record is the step people miss; the public key is no secret.
            logger.info("DKIM signing on: publish this TXT record", metadata: [
                "dns_name": "\(dkim.selector)._domainkey.\(dkim.domain)",
                "dns_txt": "\(dkim.key.dnsRecord)",
                "algorithm": "\(dkim.key.algorithm)",
            ])
            let senderDomain = configuration.sender.domain.lowercased()
            if senderDomain != dkim.domain && !senderDomain.hasSuffix("." + dkim.domain) {
                logger.warning("DKIM_DOMAIN does not match the sender's domain: DMARC will not count this signature; sign with the sender's domain", metadata: [
                    "dkim_domain": "\(dkim.domain)", "sender_domain": "\(senderDomain)",
                ])
            }
        }
        if configuration.smtp.tls.skipVerify {
            logger.warning("SMTP_TLS_SKIP_VERIFY=true: the SMTP server's certificate is not verified; use this only for internal servers")
        }
        let application = Application(
            router: router,
            server: .http1(configuration: Self.httpChannel(idleTimeout: configuration.httpIdleTimeout)),
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: nil),
            services: services,
            logger: logger
        )
        return (application, router.routes)
    }

    /// HTTP/1.1 with the idle timeout, and header limits far above what any client of this API
    /// sends (a bearer token, a request id, an idempotency key) but far below Hummingbird's 80 KB.
    static func httpChannel(idleTimeout: Duration) -> HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(
            idleTimeout: .milliseconds(Int64(idleTimeout.wholeMilliseconds)),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 64 * 1024, maxHeaderFieldCount: 100))
    }

    /// The tokens the API accepts, nil when it is open; says so in the log either way.
    private static func apiTokens(_ authentication: APIAuthentication, logger: Logger) -> APITokenSet? {
        switch authentication {
        case .bearer(let tokens):
            logger.info("API authentication: bearer tokens", metadata: ["token_names": .array(tokens.names.map { .string($0) })])
            return tokens
        case .generatedToken:
            // The one place a token is logged: without it a zero-configuration start could not be used.
            // It is printed once, so `docker compose logs mailer | grep api_token` finds it.
            let token = APITokenSet.generateToken()
            logger.warning(
                "no MAILER_API_TOKENS: generated an API token for this run (it changes at every restart): call the API with the header 'Authorization: Bearer \(token)'; to keep one, set MAILER_API_TOKENS=name:token (e.g. app:$(openssl rand -hex 32)), or MAILER_API_AUTH=none to turn authentication off",
                metadata: ["api_token": "\(token)"]
            )
            return APITokenSet([(name: "generated", token: token)])
        case .none:
            logger.warning("MAILER_API_AUTH=none: the API is unauthenticated, anyone who can reach the port can send email; set MAILER_API_TOKENS to require a token")
            return nil
        }
    }

    /// MAILER_METRICS_PORT: a second, small server with /metrics alone, run by the main
    /// application's service group, so that it starts and stops with the service.
    static func metricsServer(_ routes: MetricsRoutes, host: String, port: Int, logger: Logger) -> some Service {
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        routes.register(on: router)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger)
    }
}
