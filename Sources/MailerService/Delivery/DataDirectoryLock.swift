#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One running service per outbox. At start a service puts back every email a previous run left
/// `sending`; a second service on the same folder (`docker compose up --scale mailer=2` on one
/// volume, a rolling update) would take the first one's emails in flight for interrupted ones and
/// send them again. An exclusive `flock` on `MAILER_DATA_DIR/mailer.lock`, held for the life of
/// the process and released by the kernel even on SIGKILL, turns that into a clear start-up error.
/// `mailer queue` does not take it: it is safe beside a running service.
final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    init(directory: String) throws(ConfigurationError) {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("mailer.lock").path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ConfigurationError(problems: [ConfigurationProblem(
                variable: "MAILER_DATA_DIR",
                message: "cannot create \(path) (\(String(cString: strerror(errno)))): mount the data folder read-write for the mailer's user (uid 10001 in the image)")])
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw ConfigurationError(problems: [ConfigurationProblem(
                variable: "MAILER_DATA_DIR",
                message: "\(directory) is in use by another running mailer: one service per outbox (two would send each other's emails twice); give each its own MAILER_DATA_DIR or volume, or set MAILER_DATABASE_URL so that several replicas share one PostgreSQL outbox")])
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
