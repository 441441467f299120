import HTTPTypes
import Hummingbird
import Logging
import Outbox
import SMTP

/// `GET /metrics` in the Prometheus text format, unauthenticated like the health checks.
///
/// The gauges are read from the outbox and the pools as the scrape arrives, so they are as fresh
/// as the scrape and cost nothing between scrapes.
struct MetricsRoutes: Sendable {
    let metrics: MailerMetrics
    let store: any OutboxStorage
    let pools: [SMTPConnectionPool]
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ in
            await refreshGauges()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }

    func refreshGauges() async {
        do {
            metrics.setQueueDepth(try await store.queueDepth())
        } catch {
            logger.warning("metrics: the outbox could not be read; mailer_queue_depth is NaN", metadata: ["error": "\(error)"])
            metrics.setQueueDepth(nil)
        }
        metrics.setConnectionsInUse(pools.reduce(0) { $0 + $1.connectionsInUse })
    }
}
