import Foundation
import HTTPTypes
import HummingbirdTesting
import SMTPTestServer
import Testing
@testable import MailerService

/// GET /metrics over real HTTP after real deliveries to the Swift SMTP server.
@Suite struct MetricsEndpointTests {
    @Test func sentEmailsAreCountedByTemplateWithTheirSMTPLatencies() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            for code in ["1", "2", "3"] {
                let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "\#(code)"}"#)
                #expect(answer.status == .ok)
            }
            #expect(try await post(client, "/v1/emails/password-reset", #"{"to": "ada@example.org", "code": "k3"}"#).status == .ok)

            let scrape = try await get(client, "/metrics")
            #expect(scrape.status == .ok)
            #expect(scrape.contentType == "text/plain; version=0.0.4; charset=utf-8")
            let metrics = Exposition(scrape.body)
            #expect(metrics.type(of: "mailer_emails_accepted_total") == "counter")
            #expect(metrics.value("mailer_emails_accepted_total", ["template": "verification"]) == 3)
            #expect(metrics.value("mailer_emails_accepted_total", ["template": "password-reset"]) == 1)
            #expect(metrics.value("mailer_emails_sent_total", ["template": "verification"]) == 3)
            #expect(metrics.value("mailer_emails_sent_total", ["template": "password-reset"]) == 1)
            #expect(metrics.series("mailer_emails_failed_total").isEmpty)
            #expect(metrics.series("mailer_emails_deferred_total").isEmpty)

            #expect(metrics.type(of: "mailer_http_requests_total") == "counter")
            #expect(metrics.value("mailer_http_requests_total", ["route": "/v1/emails/verification", "method": "POST", "status": "200"]) == 3)
            #expect(metrics.value("mailer_http_requests_total", ["route": "/v1/emails/password-reset", "method": "POST", "status": "200"]) == 1)

            #expect(metrics.type(of: "mailer_queue_depth") == "gauge")
            for state in ["queued", "sending", "deferred"] {
                #expect(metrics.value("mailer_queue_depth", ["state": state]) == 0, "\(state)")
            }
            #expect(metrics.value("mailer_smtp_pool_connections_in_use") == 0)

            // Four transactions on one pooled session.
            #expect(metrics.type(of: "mailer_smtp_transaction_seconds") == "histogram")
            #expect(metrics.value("mailer_smtp_transaction_seconds_count") == 4)
            #expect(metrics.value("mailer_smtp_transaction_seconds_bucket", ["le": "+Inf"]) == 4)
            #expect(metrics.value("mailer_smtp_transaction_seconds_bucket", ["le": "60.0"]) == 4)
            #expect(metrics.value("mailer_smtp_transaction_seconds_bucket", ["le": "0.005"]) != nil)
            #expect(metrics.series("mailer_smtp_transaction_seconds_bucket").count == 14, "13 bounds and +Inf")
            #expect((metrics.value("mailer_smtp_transaction_seconds_sum") ?? 0) > 0)
            #expect(metrics.type(of: "mailer_smtp_connect_seconds") == "histogram")
            #expect(metrics.value("mailer_smtp_connect_seconds_count") == 1)
            #expect(metrics.value("mailer_smtp_connect_seconds_bucket", ["le": "30.0"]) == 1)
        }
    }

    @Test func failuresAndDeferralsAreCountedByTemplateAndCode() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [
            .rejectRecipient(code: 550, text: "5.1.1 no such user", matching: "nobody"),
            .rejectRecipient(code: 450, text: "4.2.0 mailbox busy", matching: "later"),
        ]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_RETRY_BASE_SECONDS": "600"]) { client in
            #expect(try await post(client, "/v1/emails/verification", #"{"to": "nobody@example.org", "code": "1"}"#).status == .badGateway)
            let deferred = try await post(client, "/v1/emails/verification", #"{"to": "later@example.org", "code": "2"}"#)
            #expect(deferred.json["status"] as? String == "deferred")

            let metrics = Exposition(try await get(client, "/metrics").body)
            #expect(metrics.value("mailer_emails_accepted_total", ["template": "verification"]) == 2)
            #expect(metrics.value("mailer_emails_failed_total", ["template": "verification", "code": "EENVELOPE"]) == 1)
            #expect(metrics.value("mailer_emails_deferred_total", ["template": "verification", "code": "EENVELOPE"]) == 1)
            #expect(metrics.series("mailer_emails_sent_total").isEmpty)
            #expect(metrics.value("mailer_queue_depth", ["state": "deferred"]) == 1)
            #expect(metrics.value("mailer_http_requests_total", ["route": "/v1/emails/verification", "method": "POST", "status": "502"]) == 1)
            #expect(metrics.value("mailer_http_requests_total", ["route": "/v1/emails/verification", "method": "POST", "status": "202"]) == 1)
            // Refused transactions took time on the server too.
            #expect(metrics.value("mailer_smtp_transaction_seconds_count") == 2)
        }
    }

    @Test func requestsAreLabelledByRouteTemplateNotByPath() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port) { client in
            for id in ["0190d7f0-0000-7000-8000-000000000001", "0190d7f0-0000-7000-8000-000000000002"] {
                #expect(try await get(client, "/v1/emails/\(id)").status == .notFound)
            }
            #expect(try await get(client, "/no/such/path").status == .notFound)
            #expect(try await get(client, "/another/unknown/path").status == .notFound)
            #expect(try await get(client, "/healthz").status == .ok)

            let metrics = Exposition(try await get(client, "/metrics").body)
            #expect(metrics.value("mailer_http_requests_total", ["route": "/v1/emails/{id}", "method": "GET", "status": "404"]) == 2)
            #expect(metrics.value("mailer_http_requests_total", ["route": "unmatched", "method": "GET", "status": "404"]) == 2)
            #expect(metrics.value("mailer_http_requests_total", ["route": "/healthz", "method": "GET", "status": "200"]) == 1)
            #expect(!metrics.text.contains("no/such"), "a raw path never becomes a label")
        }
    }

    /// Refused requests are counted with the status the client got, under their route; /metrics
    /// itself needs no token.
    @Test func requestsRefusedForWantOfATokenAreCountedAs401() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, token: nil) { client in
            #expect(try await get(client, "/v1/queue/stats").status == .unauthorized)
            let scrape = try await get(client, "/metrics")
            #expect(scrape.status == .ok)
            let metrics = Exposition(scrape.body)
            #expect(metrics.value("mailer_http_requests_total", ["route": "/v1/queue/stats", "method": "GET", "status": "401"]) == 1)
        }
    }

    /// A method nobody routes stays one series, however many inventive clients there are.
    @Test func unknownMethodsShareOneLabel() {
        let metrics = MailerMetrics()
        metrics.httpRequest(route: nil, method: HTTPRequest.Method("BREW")!, status: 404)
        metrics.httpRequest(route: "NotFound", method: HTTPRequest.Method("PROPFIND")!, status: 404)
        let exposition = Exposition(String(decoding: metrics.exposition(), as: UTF8.self))
        #expect(exposition.value("mailer_http_requests_total", ["route": "unmatched", "method": "OTHER", "status": "404"]) == 2)
    }

    @Test func offMeansNoMetricsEndpoint() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["MAILER_METRICS_PORT": "off"]) { client in
            let scrape = try await get(client, "/metrics")
            #expect(scrape.status == .notFound)
            #expect(scrape.contentType == "application/problem+json")
            #expect(try await get(client, "/healthz").status == .ok)
        }
    }

    @Test func aMetricsPortServesMetricsThereAndNotOnTheMainPort() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let metricsPort = ListeningPort.pick()
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_HOST": "127.0.0.1", "MAILER_METRICS_PORT": "\(metricsPort)"]) { client in
            #expect(try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#).status == .ok)
            #expect(try await get(client, "/metrics").status == .notFound)

            let probe = try HealthProbe(url: "http://127.0.0.1:\(metricsPort)/metrics", timeout: .seconds(5))
            var answer: HealthProbe.Answer?
            // The metrics server starts beside the main one; give it a moment.
            for _ in 0..<50 {
                answer = try? await probe.get()
                if answer != nil { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let scrape = try #require(answer)
            #expect(scrape.status == 200)
            let metrics = Exposition(scrape.body)
            #expect(metrics.value("mailer_emails_sent_total", ["template": "verification"]) == 1)
            #expect(metrics.value("mailer_queue_depth", ["state": "queued"]) == 0)
            // Only /metrics lives there.
            let other = try await HealthProbe(url: "http://127.0.0.1:\(metricsPort)/v1/templates", timeout: .seconds(5)).get()
            #expect(other.status == 404)
        }
    }
}
