import ArgumentParser
import Foundation
import MailerService

/// `mailer healthcheck`: the Docker HEALTHCHECK of an image without curl.
struct Healthcheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Ask the running service whether it is alive (GET /healthz); for Docker's HEALTHCHECK.",
        discussion: """
            Sends GET http://127.0.0.1:$MAILER_PORT/healthz (MAILER_PORT defaults to 8080; MAILER_HOST replaces \
            127.0.0.1 when the service listens on one address only) and prints one line. /healthz is liveness: \
            it answers 200 while the process serves requests, whatever the SMTP server or the outbox are doing, \
            which is what should make Docker restart a container. Use --url http://127.0.0.1:8080/readyz to ask \
            for readiness instead (templates loaded, outbox writable).
            Exit status: 0 when the answer is 200 within --timeout, 1 otherwise (no answer, refused, another status).
            """
    )

    @Option(name: .long, help: ArgumentHelp("Ask this http URL instead of http://127.0.0.1:$MAILER_PORT/healthz.", valueName: "URL"))
    var url: String?

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for the answer, connecting included (0.1 to 60).", valueName: "SECONDS"))
    var timeout: Double = 3

    func validate() throws {
        guard timeout.isFinite, (0.1...60).contains(timeout) else {
            throw ValidationError("--timeout must be a number of seconds from 0.1 to 60, got \(timeout)")
        }
    }

    func run() async throws {
        let probe: HealthProbe
        do {
            let target = try url ?? HealthProbe.defaultURL()
            probe = try HealthProbe(url: target, timeout: .milliseconds(Int64(timeout * 1000)))
        } catch {
            FileHandle.standardError.write(Data("unhealthy: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let (healthy, line) = await probe.check()
        guard healthy else {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(Data("\(line)\n".utf8))
    }
}
