import ArgumentParser
import Foundation
import Logging
import MIMEMessage
import MailerService
import SMTP

/// The configuration of the diagnostic commands: read from the environment exactly as `mailer serve`
/// reads it, and refused the same way (one line per bad variable, exit 78), but as plain lines on
/// stderr since these commands are run by people, not log collectors.
enum EnvironmentConfiguration {
    static func load() throws -> MailerConfiguration {
        do {
            return try MailerConfiguration.fromEnvironment()
        } catch {
            throw refuse(error.problems)
        }
    }

    /// The client `mailer serve` would build: a bad cipher list or CA file is a configuration problem too.
    static func client(_ configuration: MailerConfiguration) throws -> SMTPClient {
        do {
            return try SMTPClient(configuration: configuration.smtp)
        } catch {
            throw refuse([ConfigurationProblem(variable: error.variable, message: error.problem)])
        }
    }

    /// `--to ADDR`: one address, in any form the HTTP API accepts.
    static func recipient(_ text: String) throws -> EmailAddress {
        do {
            return try EmailAddress(parsing: text)
        } catch {
            throw ValidationError("--to is not a valid email address (\(error.reason)): \"\(text)\"")
        }
    }

    /// The SMTP client logs at debug level and below; these commands print their own report.
    static let quietLogger = Logger(label: "smtp") { _ in SwiftLogNoOpLogHandler() }

    private static func refuse(_ problems: [ConfigurationProblem]) -> ExitCode {
        for problem in problems {
            FileHandle.standardError.write(Data("invalid configuration: \(problem.variable) \(problem.message)\n".utf8))
        }
        return ExitCode(78)  // EX_CONFIG
    }
}
