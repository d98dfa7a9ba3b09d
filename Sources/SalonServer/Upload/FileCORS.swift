import HTTPTypes
import Hummingbird

/// CORS for `/files/` (XEP-0363 §"CORS"): web clients such as Converse.js upload and download
/// from their own origin. Any origin, never credentials (`*` forbids them; `members` mode's
/// Basic header is one the page sets itself, allowed by name). Hummingbird's own middleware
/// sends Expose-Headers only on preflights, where browsers ignore it.
struct FileCORS<Context: RequestContext>: RouterMiddleware {
    static var allowedMethods: String { "PUT, GET, HEAD, OPTIONS" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.origin] != nil else { return try await next(request, context) }
        if request.method == .options {
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: "*",
                .accessControlAllowMethods: Self.allowedMethods,
                .accessControlAllowHeaders: "Content-Type, Content-Length, Authorization",
                .accessControlMaxAge: "86400",
                .contentLength: "0",
            ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlExposeHeaders] = "Content-Length, Content-Range, Content-Disposition, Accept-Ranges, ETag"
        return response
    }
}
