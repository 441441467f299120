import Hummingbird

/// Counts every request by route template, method and status (`mailer_http_requests_total`).
///
/// Added first, so it sees the status the client gets: after ProblemMiddleware turned errors into
/// problem+json, and after any middleware that refuses a request.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: MailerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            // The router stores the matched route's template in the shared endpoint path.
            metrics.httpRequest(route: context.endpointPath, method: request.method, status: response.status.code)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            metrics.httpRequest(route: context.endpointPath, method: request.method, status: status.code)
            throw error
        }
    }
}
