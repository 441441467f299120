import ArgumentParser

@main
struct Mailer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailer",
        abstract: "Transactional email over HTTP: verification, password-reset and invitation emails through any SMTP server.",
        discussion: """
            `mailer serve` reads its configuration from environment variables (SMTP_HOST, SMTP_PORT, \
            SMTP_SENDER, ...; see .env.example; any of them may be given as <NAME>_FILE, the path of a file \
            holding the value) and listens on MAILER_PORT (8080). API calls need 'Authorization: Bearer <token>' \
            with a token from MAILER_API_TOKENS (without it, a generated token is logged at start-up; \
            MAILER_API_AUTH=none turns authentication off).
            `mailer check-smtp` checks those SMTP settings step by step without sending anything; \
            `mailer send-test --to ADDR` sends a real test message.
            `mailer queue list|show|retry|cancel|flush|stats` works on the outbox (MAILER_DATABASE_URL, else MAILER_DATA_DIR).
            `mailer openapi` prints the API's OpenAPI document (YAML, or JSON with --format json).
            `mailer healthcheck` asks the running service for GET /healthz (Docker's HEALTHCHECK).
            """,
        subcommands: [Serve.self, Render.self, CheckSMTP.self, SendTest.self, Queue.self, OpenAPI.self, Healthcheck.self],
        defaultSubcommand: nil
    )
}
