import Hummingbird

/// Whatever escapes a route (unknown path, wrong method, oversized body) leaves as problem+json,
/// so callers always get a `code` to branch on and never an HTML page or an empty 500.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response
        } catch let error as HTTPResponseError {
            let status = error.status
            let code = status == .notFound ? "ENOTFOUND" : status == .methodNotAllowed ? "EMETHOD" : status.code < 500 ? "EVALIDATION" : "EINTERNAL"
            let detail = status == .notFound
                ? "no route \(request.method) \(request.uri.path); see the README for the API"
                : "\(status.reasonPhrase) for \(request.method) \(request.uri.path)"
            return Problem(status: status, code: code, title: status.reasonPhrase, detail: detail).response
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            return Problem(status: .internalServerError, code: "EINTERNAL", title: "Internal error",
                           detail: "an unexpected error occurred; the log has details").response
        }
    }
}
