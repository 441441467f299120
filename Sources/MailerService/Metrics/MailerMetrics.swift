import CoreMetrics
import HTTPTypes
import Metrics
import Outbox
import Prometheus
import SMTP
import Synchronization

/// The service's metrics, recorded through swift-metrics into a Prometheus registry and written
/// out in the Prometheus text format by `GET /metrics`. The names are a contract with dashboards
/// and alerts: change none of them.
///
/// Each application gets an instance of its own, so tests that run several services in one
/// process count separately. `mailer serve` uses `processWide`, which is also swift-metrics'
/// global backend (bootstrapped once), so metrics that libraries record land in the same output.
public final class MailerMetrics: Sendable {
    public static let httpRequests = "mailer_http_requests_total"
    public static let emailsAccepted = "mailer_emails_accepted_total"
    public static let emailsSent = "mailer_emails_sent_total"
    public static let emailsDeferred = "mailer_emails_deferred_total"
    public static let emailsFailed = "mailer_emails_failed_total"
    public static let queueDepth = "mailer_queue_depth"
    public static let smtpConnectSeconds = "mailer_smtp_connect_seconds"
    public static let smtpTransactionSeconds = "mailer_smtp_transaction_seconds"
    public static let smtpPoolConnectionsInUse = "mailer_smtp_pool_connections_in_use"

    /// The states `mailer_queue_depth` reports: the emails not done yet.
    static let waitingStates: [MessageState] = [.queued, .sending, .deferred]

    /// The one instance of a `mailer serve` process. MetricsSystem can be bootstrapped only once
    /// per process, which a static constant's one-time initialisation guarantees.
    public static let processWide: MailerMetrics = {
        let metrics = MailerMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        return metrics
    }()

    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let smtpConnect: CoreMetrics.Timer
    private let smtpTransaction: CoreMetrics.Timer
    private let queueDepthGauges: [MessageState: CoreMetrics.Gauge]
    private let connectionsInUse: CoreMetrics.Gauge
    /// The counters by template, made once each: making one per email (the registry's lookup,
    /// label sanitising, the dimension arrays) cost more than counting.
    private let templateCounters = Mutex<[TemplateCounter: CoreMetrics.Counter]>([:])

    private struct TemplateCounter: Hashable {
        let label: String
        let template: String
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // A session takes round trips for TCP, TLS and AUTH; a transaction a few more and the
        // server's checks of the message, up to SMTP_DATA_TIMEOUT (60 s).
        factory.durationHistogramBuckets[Self.smtpConnectSeconds] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30].map(Self.seconds)
        factory.durationHistogramBuckets[Self.smtpTransactionSeconds] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60].map(Self.seconds)
        self.factory = factory
        // Created up front, so that the series exist (at zero) before the first email: an alert on
        // a missing series would not fire.
        smtpConnect = CoreMetrics.Timer(label: Self.smtpConnectSeconds, factory: factory)
        smtpTransaction = CoreMetrics.Timer(label: Self.smtpTransactionSeconds, factory: factory)
        queueDepthGauges = Dictionary(uniqueKeysWithValues: Self.waitingStates.map { state in
            (state, CoreMetrics.Gauge(label: Self.queueDepth, dimensions: [("state", state.rawValue)], factory: factory))
        })
        connectionsInUse = CoreMetrics.Gauge(label: Self.smtpPoolConnectionsInUse, factory: factory)
        for gauge in queueDepthGauges.values { gauge.record(0) }
        connectionsInUse.record(0)
    }

    /// The Prometheus text format of every metric, as `GET /metrics` answers it.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    // MARK: HTTP

    /// `route` is the route's template (`/v1/emails/{id}`), never the path asked for, so that the
    /// number of series stays bounded whatever clients send.
    func httpRequest(route: String?, method: HTTPRequest.Method, status: Int) {
        let route = route.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        let method = Self.knownMethods.contains(method) ? method.rawValue : "OTHER"
        CoreMetrics.Counter(label: Self.httpRequests, dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory)
            .increment()
    }

    private static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .delete, .patch, .options]

    // MARK: Emails

    /// Stored in the outbox and answered 202 (an Idempotency-Key replay is not counted again).
    func emailAccepted(template: String) {
        counter(Self.emailsAccepted, template: template).increment()
    }

    func emailSent(template: String) {
        counter(Self.emailsSent, template: template).increment()
    }

    /// The counter `label{template=...}`, the same series the registry would hand out again.
    private func counter(_ label: String, template: String) -> CoreMetrics.Counter {
        let key = TemplateCounter(label: label, template: template)
        if let counter = templateCounters.withLock({ $0[key] }) { return counter }
        let counter = CoreMetrics.Counter(label: label, dimensions: [("template", template)], factory: factory)
        templateCounters.withLock { $0[key] = counter }
        return counter
    }

    /// An attempt failed transiently; the outbox tries again later.
    func emailDeferred(template: String, code: String) {
        CoreMetrics.Counter(label: Self.emailsDeferred, dimensions: [("template", template), ("code", code)], factory: factory).increment()
    }

    /// The outbox gave up on the email.
    func emailFailed(template: String, code: String) {
        CoreMetrics.Counter(label: Self.emailsFailed, dimensions: [("template", template), ("code", code)], factory: factory).increment()
    }

    // MARK: Gauges, set when scraped

    /// Nil when the outbox could not be read: the gauges say NaN rather than a stale number.
    func setQueueDepth(_ counts: [MessageState: Int]?) {
        for (state, gauge) in queueDepthGauges {
            gauge.record(counts.map { Double($0[state] ?? 0) } ?? .nan)
        }
    }

    func setConnectionsInUse(_ count: Int) {
        connectionsInUse.record(count)
    }

    private static func seconds(_ value: Double) -> Duration {
        .nanoseconds(Int64(value * 1_000_000_000))
    }
}

extension MailerMetrics: SMTPPoolObserver {
    public func sessionOpened(after duration: Duration) {
        smtpConnect.record(duration: duration)
    }

    public func transactionFinished(after duration: Duration, error: SMTPError?) {
        smtpTransaction.record(duration: duration)
    }
}
