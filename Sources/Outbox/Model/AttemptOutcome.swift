/// How one recorded delivery attempt ended.
public enum AttemptOutcome: String, Sendable, Hashable, CaseIterable, Codable {
    case sent
    /// A transient failure: the email waits for another attempt.
    case deferred
    /// A permanent failure, or the retry policy gave up.
    case failed
}
