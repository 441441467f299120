/// One mail transaction: MAIL FROM, one RCPT TO per recipient, DATA, the content, and the replies
/// still owed for them.
///
/// Replies come back in the order the commands went out (RFC 2920 §3.1), so with PIPELINING the
/// whole envelope is sent at once and each reply is matched to the oldest command still waiting.
/// Without PIPELINING the same queue holds one command at a time.
struct SMTPTransaction: Sendable {
    enum Step: Sendable, Equatable {
        case mailFrom
        case recipient(Int)
        case data
        /// The dot-stuffed content and its final "."; its reply is the server's verdict.
        case content
    }

    let mail: SMTPMail
    let parameters: [String]
    let pipelined: Bool
    /// A probe: MAIL FROM and RCPT TO only, never DATA (see `SMTPConversation.startProbe`).
    let envelopeOnly: Bool
    /// Sent, reply not yet received, oldest first.
    private(set) var awaiting: [Step] = []
    /// Not yet sent: without PIPELINING each command waits for the previous reply.
    private(set) var unsent: [Step]

    /// A positive reply to any command of this transaction: from then on the server holds part of
    /// it, and a broken connection is no longer "nothing happened".
    var anythingAccepted = false
    /// The sender refused, or the server asked for AUTH: no recipient can be accepted after that.
    var fatalFailure: SMTPError?
    /// Refused recipients, in the order they were sent.
    var rejections: [(recipient: String, reply: SMTPReply)] = []

    init(mail: SMTPMail, parameters: [String], pipelined: Bool, envelopeOnly: Bool = false) {
        self.mail = mail
        self.parameters = parameters
        self.pipelined = pipelined
        self.envelopeOnly = envelopeOnly
        self.unsent = [.mailFrom] + mail.recipients.indices.map { .recipient($0) } + (envelopeOnly ? [] : [.data])
    }

    /// The failure that decides the outcome, once the replies are in.
    var failure: SMTPError? {
        if let fatalFailure { return fatalFailure }
        if !rejections.isEmpty { return .recipientsRejected(rejections) }
        return nil
    }

    func command(for step: Step) -> SMTPCommand {
        switch step {
        case .mailFrom: .mailFrom(mail.sender, parameters: parameters)
        case .recipient(let index): .rcptTo(mail.recipients[index])
        case .data: .data
        case .content: .messageContent(mail.content)
        }
    }

    /// The commands to send now: the whole envelope with PIPELINING (RFC 2920 allows MAIL, RCPT
    /// and DATA in one group, DATA last), else the next one.
    mutating func nextCommands() -> [SMTPCommand] {
        let steps = pipelined ? unsent : Array(unsent.prefix(1))
        unsent.removeFirst(steps.count)
        awaiting.append(contentsOf: steps)
        return steps.map(command(for:))
    }

    var nextUnsent: Step? { unsent.first }

    /// Removes and returns the step the next reply answers.
    mutating func replyArrived() -> Step? {
        awaiting.isEmpty ? nil : awaiting.removeFirst()
    }

    mutating func contentSent() {
        awaiting = [.content]
    }
}
