import Synchronization

/// What happened on one SMTP session, step by step with timings.
///
/// The session handler writes it as replies and events arrive (on the event loop); diagnostics
/// reads it afterwards (any thread), also when the session failed half-way, which is when the
/// steps before the failure matter most. Commands appear only in their redacted form.
public final class SMTPSessionTimeline: Sendable {
    public struct Entry: Sendable {
        public enum Event: Sendable {
            /// The TCP connection stands; the peer's address as connected to ("127.0.0.1:587").
            case connected(remoteAddress: String?)
            /// A reply to `command` (redacted); nil for the greeting.
            case reply(SMTPReply, command: String?)
            /// The TLS handshake completed: version, cipher suite and certificate as negotiated.
            case tlsEstablished(SMTPSessionInfo)
            /// The step failed; a reply that caused it is the entry before.
            case failed(SMTPError)
        }

        /// The step the event belongs to.
        public var phase: SMTPPhase
        public var event: Event
        /// When the step began: the previous event, or the command sent after it.
        public var started: ContinuousClock.Instant
        public var finished: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Entry] = []
        var lastActivity: ContinuousClock.Instant
    }

    private let state: Mutex<State>

    /// Create it just before connecting: the connect step is timed from here.
    public init() {
        state = Mutex(State(lastActivity: ContinuousClock.now))
    }

    public var entries: [Entry] { state.withLock { $0.entries } }

    /// When the last thing happened: a failure detected outside the session (connect) starts there.
    public var lastActivity: ContinuousClock.Instant { state.withLock { $0.lastActivity } }

    /// A command (or handshake) went out: the next reply's duration counts from now.
    func commandSent() {
        let now = ContinuousClock.now
        state.withLock { $0.lastActivity = now }
    }

    func record(_ phase: SMTPPhase, _ event: Entry.Event) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.entries.append(Entry(phase: phase, event: event, started: state.lastActivity, finished: now))
            state.lastActivity = now
        }
    }
}
