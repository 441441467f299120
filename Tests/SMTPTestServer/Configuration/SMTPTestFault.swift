/// A scripted misbehaviour of the test server, for exercising a client's error paths.
///
/// When several faults of the same kind are configured, the first one wins
/// (for ``rejectRecipient(code:text:matching:)``: the first whose `matching` applies).
public enum SMTPTestFault: Sendable, Hashable {
    /// Answer every `MAIL FROM` with this reply, e.g. `550`, `"5.7.1 sender rejected"`.
    case rejectMailFrom(code: Int, text: String)
    /// Answer `RCPT TO` with this reply. `matching: nil` rejects every recipient;
    /// otherwise only recipients whose address contains `matching` (case-insensitive).
    case rejectRecipient(code: Int, text: String, matching: String?)
    /// Read the whole message, then answer the final "." with this reply.
    /// The message is not captured in ``SMTPTestServer/messages``.
    case rejectData(code: Int, text: String)
    /// Answer every AUTH attempt with `535 5.7.8`, even with the right password.
    case rejectAuth
    /// Send the 220 banner only after this many seconds.
    /// Commands sent before it are held and answered after the banner.
    case greetingDelay(seconds: Double)
    /// Accept the TCP connection (and, for implicit TLS, the handshake) and never say anything.
    case noGreeting
    /// Read the message after DATA, never answer the final ".". The message is not captured.
    case noReplyToData
    /// Send the 220 banner, then close the connection.
    case closeAfterGreeting
    /// Do not advertise STARTTLS, and answer a STARTTLS command with `454 4.7.0`.
    case hideStartTLS
    /// Close the connection, without a reply, when a command with this verb arrives
    /// (e.g. "MAIL"): a server that went away just as the command was sent.
    case closeOnCommand(String)
    /// Like ``closeOnCommand(_:)``, but only on a connection that has already delivered this many
    /// messages: a server that drops a reused connection just as the next message starts.
    case closeOnCommandAfterMessages(String, messages: Int)
    /// Close the connection as soon as the first line of message content arrives after 354,
    /// as a server that crashes or drops the client mid-DATA would. Nothing is captured.
    case closeDuringData
    /// After this many seconds without a command from the client, close the connection: with
    /// `announce`, after sending `421 4.4.2 ... timeout exceeded` first (as Postfix does),
    /// otherwise silently.
    case closeWhenIdle(afterSeconds: Double, announce: Bool)
    /// Greet with this reply instead of 220, e.g. `554`, `"no service"`.
    /// With a 421 greeting the server closes the connection after sending it; with any
    /// other code it stays connected, answers QUIT with 221 and everything else with 503.
    case greeting(code: Int, text: String)
}
