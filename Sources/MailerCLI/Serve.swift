import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MailerService

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP service (what the Docker image runs).",
        discussion: """
            All settings come from environment variables; every problem is reported at once, one line each, and the service does not start. \
            Any variable may instead be given as <NAME>_FILE, the path of a file holding its value (e.g. SMTP_PASSWORD_FILE=/run/secrets/smtp_password).
            Every route but /healthz, /readyz, /metrics and /openapi.json needs 'Authorization: Bearer <token>' with a token from MAILER_API_TOKENS \
            (comma-separated name:token entries). Without MAILER_API_TOKENS a token is generated at start-up and logged once \
            (the warning with "api_token"); MAILER_API_AUTH=none turns authentication off.
            GET /healthz answers while the process lives, GET /readyz when it can take emails (templates loaded, outbox writable), \
            GET /metrics in the Prometheus format (on MAILER_PORT; on MAILER_METRICS_PORT alone when set, nowhere when it is off).
            SIGHUP reloads the templates folder (a broken template is logged and the previous templates stay in use); SIGTERM or SIGINT stops accepting requests and finishes the emails already accepted.
            """
    )

    func run() async throws {
        // SIGHUP's default action ends the process; until the reloader listens for it, ignore it.
        signal(SIGHUP, SIG_IGN)
        // Only for the lines before the configuration is read; a bad value is reported with the rest.
        let bootstrapLevel = Logger.Level(rawValue: (try? MailerConfiguration.value(of: "MAILER_LOG_LEVEL"))?.lowercased() ?? "info") ?? .info
        let format = LogFormat(rawValue: (try? MailerConfiguration.value(of: "MAILER_LOG_FORMAT"))?.lowercased() ?? "json") ?? .json
        LoggingSystem.bootstrap(format.handler(level: bootstrapLevel))
        let logger = Logger(label: "mailer")
        if AllocatorTuning.apply(environment: ProcessInfo.processInfo.environment) {
            logger.debug("glibc malloc: freed memory kept for reuse", metadata: [
                "trim_threshold": "\(AllocatorTuning.trimThreshold)", "mmap_threshold": "\(AllocatorTuning.mmapThreshold)",
            ])
        }

        let configuration: MailerConfiguration
        do {
            configuration = try MailerConfiguration.fromEnvironment()
        } catch {
            for problem in error.problems {
                logger.critical("invalid configuration: \(problem.variable) \(problem.message)", metadata: ["variable": "\(problem.variable)"])
            }
            logger.critical("not started: fix the \(error.problems.count == 1 ? "problem" : "\(error.problems.count) problems") above (see .env.example)")
            throw ExitCode(78)  // EX_CONFIG
        }
        logger.info("configuration", metadata: configuration.redactedSummary.mapValues { .string($0) })

        do {
            // The process-wide metrics are swift-metrics' backend too (bootstrapped here, once).
            let app = try await MailerApplication.build(configuration: configuration, logger: logger, metrics: .processWide)
            try await app.runService()
        } catch let error as ConfigurationError {
            for problem in error.problems {
                logger.critical("invalid configuration: \(problem.variable) \(problem.message)", metadata: ["variable": "\(problem.variable)"])
            }
            throw ExitCode(78)
        } catch let error as TemplateCatalogError {
            logger.critical("cannot load templates: \(error.message)", metadata: ["variable": "MAILER_TEMPLATES_DIR"])
            throw ExitCode(78)
        } catch {
            // Typically the HTTP port (or the metrics port) is taken; say so in the same JSON stream as everything else.
            var metadata: Logger.Metadata = ["mailer_port": "\(configuration.httpPort)"]
            if case .port(let port) = configuration.metricsEndpoint { metadata["mailer_metrics_port"] = "\(port)" }
            logger.critical("stopped: \(error)", metadata: metadata)
            throw ExitCode(1)
        }
    }
}
