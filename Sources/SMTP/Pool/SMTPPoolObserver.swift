/// Told how long a pool's sessions and transactions take, so that the application can keep latency
/// histograms without the SMTP module choosing a metrics library or the metrics' names.
///
/// Called on the sending task, outside the pool's lock: keep it quick and never block.
public protocol SMTPPoolObserver: Sendable {
    /// A session was established (TCP, greeting, EHLO, TLS, AUTH) in `duration`.
    func sessionOpened(after duration: Duration)

    /// A mail transaction on an established session ended, from MAIL FROM to the reply to the final
    /// dot: accepted, refused by the server, or broken off (`error`). A transaction that the pool
    /// sends again on another session because the first was found closed is not reported: it never
    /// reached the server.
    func transactionFinished(after duration: Duration, error: SMTPError?)
}
