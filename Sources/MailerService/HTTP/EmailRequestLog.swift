import Logging

/// The log context of one email request (email id, template, locale, SMTP host), put on the
/// request's logger only when a line is written at a level that is on. At the usual levels a
/// request writes one line or none, and every metadata entry set up front copies the logger's
/// storage, on every request.
struct EmailRequestLog {
    let base: Logger
    let emailID: String
    var template: String?
    var locale: String?
    var smtpHost: String?

    func log(_ level: Logger.Level, _ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil) {
        guard base.logLevel <= level else { return }
        var logger = base
        logger[metadataKey: "email_id"] = "\(emailID)"
        if let template { logger[metadataKey: "template"] = "\(template)" }
        if let locale { logger[metadataKey: "locale"] = "\(locale)" }
        if let smtpHost { logger[metadataKey: "smtp_host"] = "\(smtpHost)" }
        logger.log(level: level, message(), metadata: metadata())
    }
}
