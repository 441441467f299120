import OutboxPostgres
import Testing

@Suite struct PostgresURLTests {
    @Test func readsEveryPartAndTheSSLMode() throws {
        let url = try PostgresURL(parsing: "postgres://mailer:s%40cret@db.internal:6432/mail?sslmode=verify-full")
        #expect(url == PostgresURL(host: "db.internal", port: 6432, username: "mailer", password: "s@cret", database: "mail", sslMode: .verifyFull))
        let plain = try PostgresURL(parsing: "postgresql://mailer@localhost/mail")
        #expect(plain.port == 5432 && plain.password == nil && plain.sslMode == .prefer)
        #expect(try PostgresURL(parsing: "postgres://u:p@[::1]:5433/db?sslmode=require").host == "::1")
        let privateCA = try PostgresURL(parsing: "postgres://u:p@db/mail?sslmode=verify-full&sslrootcert=/run/secrets/ca.pem")
        #expect(privateCA.sslRootCertificate == "/run/secrets/ca.pem")
        #expect(privateCA.description == "postgres://u:***@db:5432/mail?sslmode=verify-full&sslrootcert=/run/secrets/ca.pem")
    }

    @Test func itsDescriptionHidesThePassword() throws {
        let url = try PostgresURL(parsing: "postgres://mailer:hunter2@db:5432/mail?sslmode=require")
        #expect(url.description == "postgres://mailer:***@db:5432/mail?sslmode=require")
        #expect(!"\(url)".contains("hunter2"))
        #expect(!String(reflecting: url).contains("hunter2"))
        var dumped = ""
        dump(url, to: &dumped)
        #expect(!dumped.contains("hunter2") && dumped.contains("***"), "\(dumped)")
    }

    @Test(arguments: [
        ("mysql://u:hunter2@db/mail", "postgres://"),
        ("postgres://u:hunter2@/mail", "no host"),
        ("postgres://db/mail", "no user name"),
        ("postgres://u:hunter2@db", "names no database"),
        ("postgres://u:hunter2@db/mail?sslmode=allow", "sslmode"),
        ("postgres://u:hunter2@db/mail?connect_timeout=3", "connect_timeout"),
        ("postgres://u:hunter2@db/mail?sslmode=disable&sslrootcert=/ca.pem", "sslmode=verify-full"),
        ("not a url at all", "postgres://"),
    ])
    func aBadURLSaysWhatIsWrongAndNeverShowsThePassword(_ text: String, _ expected: String) {
        #expect(throws: PostgresURLError.self) { try PostgresURL(parsing: text) }
        do {
            _ = try PostgresURL(parsing: text)
        } catch {
            #expect(error.description.hasPrefix("MAILER_DATABASE_URL "))
            #expect(error.description.contains(expected), "\(error)")
            #expect(!error.description.contains("hunter2"), "\(error)")
        }
    }
}
