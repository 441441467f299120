import SMTP

/// How one delivery attempt ended.
public enum DeliveryOutcome: Sendable {
    case sent(SMTPDeliveryReceipt)
    case failed(SMTPError)
}
