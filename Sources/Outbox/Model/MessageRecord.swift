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
    public var requestID: String?

    /// Memberwise, for the storages in other modules of this package.
    package init(id: String, createdAt: Date, template: String, locale: String, sender: String, recipients: [String], messageID: String, size: Int, state: MessageState, attemptCount: Int, nextAttemptAt: Date?, lastError: String?, sentAt: Date?, provider: ProviderName?, updatedAt: Date, requestID: String? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.template = template
        self.locale = locale
        self.sender = sender
        self.recipients = recipients
        self.messageID = messageID
        self.size = size
        self.state = state
        self.attemptCount = attemptCount
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.sentAt = sentAt
        self.provider = provider
        self.updatedAt = updatedAt
        self.requestID = requestID
    }
}

extension MessageRecord {
    /// The record of `message` as an enqueue writes it at `now` (queued, due at once; or
    /// `sending` when it was stored `claimed` for this process's worker), so that storages build
    /// it from what they wrote instead of reading the row back. Times keep milliseconds, as stored.
    package static func accepted(_ message: OutgoingMessage, at now: Date, claimed: Bool = false) -> MessageRecord {
        let stored = Timestamp.date(Timestamp.milliseconds(now))
        return MessageRecord(
            id: message.id, createdAt: stored, template: message.template, locale: message.locale,
            sender: message.sender, recipients: message.recipients, messageID: message.messageID,
            size: message.content.count, state: claimed ? .sending : .queued, attemptCount: 0, nextAttemptAt: claimed ? nil : stored,
            lastError: nil, sentAt: nil, provider: nil, updatedAt: stored, requestID: message.requestID)
    }
}
