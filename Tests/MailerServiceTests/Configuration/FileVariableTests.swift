import Foundation
import Testing
@testable import MailerService

/// `<NAME>_FILE`: any variable's value read from a file, as official Docker images do.
@Suite struct FileVariableTests {
    /// A file holding `content` in a fresh temporary folder.
    static func file(_ content: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("value-\(UUID().uuidString)").path
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func problems(_ extra: [String: String]) -> [ConfigurationProblem] { configurationProblems(extra) }

    @Test func aSecretIsReadFromItsFileWithoutTheTrailingNewline() throws {
        for content in ["pass word-1\n", "pass word-1\r\n", "pass word-1\n\n", "pass word-1"] {
            let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 587, [
                "SMTP_USERNAME": "alice", "SMTP_PASSWORD_FILE": try Self.file(content),
            ]))
            #expect(configuration.smtp.credentials?.password == "pass word-1", "\(content.debugDescription)")
            #expect(configuration.redactedSummary["smtp_password"] == "<redacted>")
        }
    }

    @Test func anyVariableMayComeFromAFile() throws {
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, [
            "SMTP_HOST": "", "SMTP_HOST_FILE": try Self.file("smtp.example.com\n"),
            "SMTP_POOL_SIZE_FILE": try Self.file("7\n"),
            "MAILER_API_TOKENS": "", "MAILER_API_TOKENS_FILE": try Self.file("app:app-token-1\n"),
        ]))
        #expect(configuration.smtp.host == "smtp.example.com")
        #expect(configuration.pool.size == 7)
        guard case .bearer(let tokens) = configuration.apiAuthentication else {
            Issue.record("\(configuration.apiAuthentication)")
            return
        }
        #expect(tokens.name(matching: "app-token-1") == "app")
    }

    @Test func settingBothIsAProblemThatQuotesNeither() throws {
        let problems = Self.problems([
            "SMTP_USERNAME": "alice", "SMTP_PASSWORD": "inline-secret-1", "SMTP_PASSWORD_FILE": try Self.file("file-secret-2\n"),
        ])
        #expect(problems.map(\.variable) == ["SMTP_PASSWORD_FILE"])
        #expect(problems.first?.message.contains("SMTP_PASSWORD") == true)
        #expect(!problems.description.contains("secret-"))
    }

    @Test func anUnreadableFileIsAProblemNamingTheVariableAndPath() throws {
        let missing = "/nonexistent/\(UUID().uuidString)/smtp_password"
        let problems = Self.problems(["SMTP_USERNAME": "alice", "SMTP_PASSWORD_FILE": missing])
        // Only the file: "SMTP_PASSWORD is required when SMTP_USERNAME is set" would point elsewhere.
        #expect(problems.map(\.variable) == ["SMTP_PASSWORD_FILE"])
        #expect(problems.first?.message.contains(missing) == true)

        let folder = FileManager.default.temporaryDirectory.path
        let directory = Self.problems(["SMTP_HOST": "", "SMTP_HOST_FILE": folder])
        #expect(directory.map(\.variable) == ["SMTP_HOST_FILE"])
        #expect(directory.first?.message.contains("is a directory") == true)
    }

    @Test func aBadValueFromAFileNamesTheFileVariableNeverASecret() throws {
        let port = Self.problems(["SMTP_PORT": "", "SMTP_PORT_FILE": try Self.file("smtp\n")])
        #expect(port.map(\.variable) == ["SMTP_PORT_FILE"])

        let path = try Self.file("ci:token with-secret-space\n")
        let tokens = Self.problems(["MAILER_API_TOKENS": "", "MAILER_API_TOKENS_FILE": path])
        #expect(tokens.map(\.variable) == ["MAILER_API_TOKENS_FILE"])
        #expect(tokens.first?.message.contains(path) == true)
        #expect(!tokens.description.contains("secret"), "\(tokens)")
    }

    @Test func anEmptyFileCountsAsUnset() throws {
        let problems = Self.problems(["SMTP_HOST": "", "SMTP_HOST_FILE": try Self.file("\n")])
        #expect(problems.map(\.variable) == ["SMTP_HOST_FILE"])
        #expect(problems.first?.message.contains("is required") == true)
    }

    /// SMTP_CA_FILE is a path by itself, not SMTP_CA by file; SMTP_CA_FILE_FILE would be the indirection.
    @Test func variablesWhoseNameEndsInFileKeepTheirMeaning() throws {
        let ca = try Self.file("-----BEGIN CERTIFICATE-----\n")
        let direct = try MailerConfiguration.fromEnvironment(environment(smtpPort: 587, ["SMTP_CA_FILE": ca]))
        #expect(direct.smtp.tls.caFile == ca)
        let indirect = try MailerConfiguration.fromEnvironment(environment(smtpPort: 587, ["SMTP_CA_FILE_FILE": try Self.file(ca + "\n")]))
        #expect(indirect.smtp.tls.caFile == ca)
    }

    @Test func singleValuesReadTheFileToo() throws {
        let value = try MailerConfiguration.value(of: "MAILER_DATA_DIR", in: ["MAILER_DATA_DIR_FILE": try Self.file("/srv/outbox\n")])
        #expect(value == "/srv/outbox")
        #expect(try MailerConfiguration.value(of: "MAILER_DATA_DIR", in: [:]) == nil)
        #expect(throws: ConfigurationError.self) {
            try MailerConfiguration.value(of: "MAILER_DATA_DIR", in: ["MAILER_DATA_DIR": "/a", "MAILER_DATA_DIR_FILE": "/b"])
        }
    }
}
