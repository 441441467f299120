/// Errors thrown by ``SMTPTestServer``.
public enum SMTPTestServerError: Error, Sendable, Equatable {
    /// ``SMTPTestServer/waitForMessages(_:timeout:)`` ran out of time.
    case timedOutWaitingForMessages(expected: Int, received: Int)
    /// The server has been shut down.
    case shutDown
}
