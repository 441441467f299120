import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the templates on SIGHUP (`docker compose kill -s HUP mailer`), the usual signal for
/// "read your files again", so template changes need no restart and no request is dropped.
struct TemplateReloader: Service {
    let store: TemplateStore
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            reload()
        }
    }

    func reload() {
        do {
            let catalog = try store.reload()
            logger.info("templates reloaded", metadata: catalog.logMetadata)
        } catch {
            logger.error("templates not reloaded: still serving the previous ones", metadata: [
                "code": "ETEMPLATE", "error": "\(error)",
            ])
        }
    }
}

extension EmailTemplateCatalog {
    var logMetadata: Logger.Metadata {
        [
            "templates": .array(names.map { .string($0) }),
            "locales": .dictionary(Dictionary(uniqueKeysWithValues: names.map { name in
                (name, .array(locales(of: name).map { .string("\($0)") }))
            })),
            "dir": "\(directory)",
        ]
    }
}
