/// Where a stored email is in its life.
///
/// `queued` and `deferred` wait for a worker; `sending` is held by exactly one worker; `sent`,
/// `failed` and `cancelled` are final until an operator retries a failed one.
public enum MessageState: String, Sendable, Hashable, CaseIterable, Codable {
    case queued
    case sending
    case deferred
    case sent
    case failed
    case cancelled

    /// States a worker may claim.
    public static let pending: [MessageState] = [.queued, .deferred]
    /// States `prune(olderThan:)` may delete.
    public static let finished: [MessageState] = [.sent, .failed, .cancelled]
}
