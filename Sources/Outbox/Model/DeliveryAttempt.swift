import Foundation

/// One recorded delivery attempt of an email.
public struct DeliveryAttempt: Sendable, Equatable {
    public var messageID: String
    /// 1 for the first attempt.
    public var number: Int
    /// When the worker claimed the email.
    public var startedAt: Date
    public var finishedAt: Date
    public var outcome: AttemptOutcome
    /// Stable error code such as "ETIMEDOUT"; nil when sent.
    public var errorCode: String?
    public var hint: String?
    public var detail: String?
    /// The SMTP server's answer, when it gave one (the 250 of a success too).
    public var reply: ServerReply?
    public var provider: ProviderName

    /// Memberwise, for the storages in other modules of this package.
    package init(messageID: String, number: Int, startedAt: Date, finishedAt: Date, outcome: AttemptOutcome, errorCode: String?, hint: String?, detail: String?, reply: ServerReply?, provider: ProviderName) {
        self.messageID = messageID
        self.number = number
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.errorCode = errorCode
        self.hint = hint
        self.detail = detail
        self.reply = reply
        self.provider = provider
    }
}
