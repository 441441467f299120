import Logging

/// `mailer check-smtp`: walks through a session step by step with the client that sends real
/// mail (same state machine, TLS context, error codes and hints), so what it reports is what
/// delivery will meet. The envelope is probed with MAIL FROM and RCPT TO, then discarded with
/// RSET: no message is sent.
public struct SMTPDiagnostics: Sendable {
    public let client: SMTPClient

    public init(client: SMTPClient) {
        self.client = client
    }

    /// Never throws: every failure becomes the failed step of the report, with code and hint.
    public func check(sender: String, recipient: String, logger: Logger = Logger(label: "smtp")) async -> SMTPCheckReport {
        let started = ContinuousClock.now
        let timeline = SMTPSessionTimeline()
        var failure: (error: SMTPError, at: ContinuousClock.Instant)?
        do {
            let connection = try await client.connect(logger: logger, timeline: timeline)
            do {
                try await connection.probe(sender: sender, recipients: [recipient])
            } catch {
                failure = (error, ContinuousClock.now)
            }
            // QUIT either way; after a failure it is only tidying up, not a step that was checked.
            await connection.close()
        } catch {
            failure = (error, ContinuousClock.now)
        }
        let builder = SMTPCheckReportBuilder(configuration: client.configuration, sender: sender, recipient: recipient)
        return builder.build(entries: timeline.entries, failure: failure, started: started, finished: ContinuousClock.now)
    }
}
