import Foundation

/// A stored email without its bytes: what listings, claims and state changes answer.
public struct MessageRecord: Sendable, Equatable {
    public var id: String
    public var createdAt: Date
    public var template: String
    public var locale: String
    public var sender: String
    public var recipients: [String]
    public var messageID: String
    /// Size of the stored message bytes.
    public var size: Int
    public var state: MessageState
    /// Attempts whose outcome was recorded; an attempt cut short by a crash does not count.
    public var attemptCount: Int
    /// When a worker may take it; nil unless queued or deferred.
    public var nextAttemptAt: Date?
    /// Summary of the most recent failed or deferred attempt; nil once sent.
    public var lastError: String?
    public var sentAt: Date?
    /// Provider of the most recent recorded attempt.
    public var provider: ProviderName?
    /// Last state change, which is what `prune(olderThan:)` measures age by.
    public var updatedAt: Date
    /// The X-Request-ID of the HTTP request that queued it, when there was one.
    public var requestID: String? = nil
}
