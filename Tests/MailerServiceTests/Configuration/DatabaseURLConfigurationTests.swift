import Foundation
import Testing
@testable import MailerService
import OutboxPostgres

/// MAILER_DATABASE_URL and MAILER_DATABASE_LEASE: unset keeps the SQLite outbox; a bad value is
/// one clear line naming the variable, and the password never shows.
@Suite struct DatabaseURLConfigurationTests {
    @Test func unsetOrEmptyKeepsTheSQLiteOutbox() throws {
        #expect(try MailerConfiguration.fromEnvironment(environment(smtpPort: 25)).databaseURL == nil)
        let empty = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_DATABASE_URL": " "]))
        #expect(empty.databaseURL == nil)
        #expect(empty.redactedSummary["mailer_database"] == "SQLite in MAILER_DATA_DIR")
    }

    @Test func aURLIsReadAndSummarisedWithoutItsPassword() throws {
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, [
            "MAILER_DATABASE_URL": "postgres://mailer:hunter2@db:5432/mail?sslmode=require",
            "MAILER_DATABASE_LEASE": "2m",
        ]))
        #expect(configuration.databaseURL == PostgresURL(host: "db", port: 5432, username: "mailer", password: "hunter2", database: "mail", sslMode: .require))
        #expect(configuration.databaseLease == .seconds(120))
        let summary = configuration.redactedSummary.values.joined(separator: " ")
        #expect(summary.contains("postgres://mailer:***@db:5432/mail?sslmode=require"))
        #expect(!summary.contains("hunter2"))
    }

    @Test func theURLMayComeFromAFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("database-url-\(UUID().uuidString)")
        try "postgres://mailer:hunter2@db/mail\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_DATABASE_URL_FILE": file.path]))
        #expect(configuration.databaseURL?.database == "mail")
    }

    @Test(arguments: [
        ("MAILER_DATABASE_URL", "mysql://mailer:hunter2@db/mail", "must start with postgres://"),
        ("MAILER_DATABASE_URL", "postgres://mailer:hunter2@db/mail?sslmode=maybe", "sslmode"),
        ("MAILER_DATABASE_LEASE", "5s", "at least 10s"),
    ])
    func aBadValueIsOneProblemNamingTheVariable(variable: String, value: String, message: String) {
        var variables = ["MAILER_DATABASE_URL": "postgres://mailer:hunter2@db/mail"]
        variables[variable] = value
        do {
            _ = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, variables))
            Issue.record("\(variable)=\(value) must be refused")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.variable == variable)
            #expect(error.problems.first?.message.contains(message) == true, "\(error.problems)")
            #expect(error.problems.first?.message.contains("hunter2") == false, "\(error.problems)")
        }
    }
}
