import Foundation
import Outbox
import SMTP

/// Whether this instance can take emails now (`GET /readyz`): its outbox can store an email.
///
/// The templates are reported, not checked: a running service always has some, since start-up
/// refuses a folder without templates and a failed reload keeps the previous ones. The SMTP
/// provider is reported but not judged: accepted emails wait in the outbox through an outage, so
/// taking the instance out of rotation would only turn accepted emails into refused ones.
struct ReadinessCheck: Sendable {
    struct Provider: Sendable {
        let name: ProviderName
        let pool: SMTPConnectionPool
    }

    struct Report: Sendable {
        /// Why the outbox cannot store an email, nil when it can.
        var outboxProblem: String?
        var json: JSONValue

        var ready: Bool { outboxProblem == nil }
    }

    let templates: TemplateStore
    let store: any OutboxStorage
    let providers: [Provider]
    /// The outbox probe's answer, reused for a second (the SMTP report is read fresh each time).
    private let outboxProbe: RecentResult<OutboxProbe>

    private struct OutboxProbe: Sendable {
        var problem: String?
        var duration: Duration
    }

    init(templates: TemplateStore, store: any OutboxStorage, providers: [Provider], probeMaximumAge: Duration = .seconds(1)) {
        self.templates = templates
        self.store = store
        self.providers = providers
        self.outboxProbe = RecentResult(maximumAge: probeMaximumAge)
    }

    func run() async -> Report {
        let store = store
        let probe = await outboxProbe.value {
            let started = ContinuousClock.now
            do {
                try await store.probeWrite()
                return OutboxProbe(problem: nil, duration: ContinuousClock.now - started)
            } catch {
                return OutboxProbe(problem: "\(error)", duration: ContinuousClock.now - started)
            }
        }
        let outboxProblem = probe.problem
        let elapsed = probe.duration

        var outbox: [String: JSONValue] = ["ok": .bool(outboxProblem == nil), "durationMs": .int(Int(elapsed.wholeMilliseconds))]
        if let outboxProblem { outbox["detail"] = .string(outboxProblem) }
        let templateCheck: [String: JSONValue] = ["ok": .bool(true), "count": .int(templates.catalog.names.count)]
        var smtp: [String: JSONValue] = [:]
        for provider in providers {
            smtp[provider.name.rawValue] = Self.json(provider.pool)
        }
        let json: JSONValue = .object([
            "status": .string(outboxProblem == nil ? "ready" : "not ready"),
            "checks": .object(["templates": .object(templateCheck), "outbox": .object(outbox)]),
            "smtp": .object(smtp),
        ])
        return Report(outboxProblem: outboxProblem, json: json)
    }

    /// What the pool last saw of its server; nothing is sent to find out.
    static func json(_ pool: SMTPConnectionPool) -> JSONValue {
        var members: [String: JSONValue] = [
            "host": .string(pool.client.configuration.host),
            "port": .int(pool.client.configuration.port),
            "connectionsInUse": .int(pool.connectionsInUse),
        ]
        guard let attempt = pool.lastConnectionAttempt else {
            members["lastConnection"] = .null
            return .object(members)
        }
        var last: [String: JSONValue] = [
            "ok": .bool(attempt.succeeded),
            "at": .string(attempt.finishedAt.formatted(.iso8601)),
            "durationMs": .int(Int(attempt.duration.wholeMilliseconds)),
        ]
        if let error = attempt.error {
            last.merge(error.jsonFields) { _, new in new }
        }
        members["lastConnection"] = .object(last)
        return .object(members)
    }
}
