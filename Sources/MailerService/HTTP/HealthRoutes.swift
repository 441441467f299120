import Hummingbird

/// `GET /healthz` (liveness: the process answers) and `GET /readyz` (readiness: it can take
/// emails). Both unauthenticated, for orchestrators and load balancers.
struct HealthRoutes: Sendable {
    let readiness: ReadinessCheck

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            Response.json(.object(["status": .string("ok")]), status: .ok)
        }
        router.get("/readyz") { _, context in
            let report = await readiness.run()
            if report.ready { return Response.json(report.json, status: .ok) }
            guard case .object(var extra) = report.json, let outboxProblem = report.outboxProblem else {
                return Response.json(report.json, status: .serviceUnavailable)
            }
            // The problem's own `status` is the HTTP status; the checks and SMTP report stay.
            extra["status"] = nil
            let problem = Problem(status: .serviceUnavailable, code: "EOUTBOX", title: "Not ready",
                                  detail: "the outbox cannot store emails: \(outboxProblem)", extra: extra)
            context.logger.warning("not ready", metadata: ["code": "\(problem.code)", "detail": "\(problem.detail)"])
            return problem.response
        }
    }
}
