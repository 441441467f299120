-- wrk script for Benchmarks/http-vs-hello.sh: POST /v1/emails/verification with the same
-- small JSON body to the service and to http-hello. No response() callback (it would make wrk
-- parse every answer and lower both figures); done() prints machine-readable totals.
wrk.method = "POST"
wrk.path = "/v1/emails/verification"
wrk.body = '{"to":"ada@example.org","code":"493817"}'
wrk.headers["Content-Type"] = "application/json"
-- The mailer requires a bearer token (http-vs-hello.sh sets MAILER_API_TOKENS and exports it as
-- BENCH_API_TOKEN); http-hello gets the same header, so both read the same request.
local token = os.getenv("BENCH_API_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk_requests=%d\nwrk_duration_us=%d\n", summary.requests, summary.duration))
  io.write(string.format("wrk_rps=%.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("wrk_p50_us=%d\nwrk_p99_us=%d\nwrk_max_us=%d\n",
    latency:percentile(50), latency:percentile(99), latency.max))
  -- status: answers other than 2xx/3xx; the rest are socket errors and timeouts.
  io.write(string.format("wrk_errors=%d\nwrk_non2xx=%d\n",
    e.connect + e.read + e.write + e.timeout, e.status))
end
