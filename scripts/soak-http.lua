-- wrk script for scripts/soak.sh: POST /v1/emails/verification with a bearer token
-- (SOAK_API_TOKEN); done() prints machine-readable totals.
wrk.method = "POST"
wrk.path = "/v1/emails/verification"
wrk.body = '{"to":"ada@example.org","code":"493817"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SOAK_API_TOKEN")

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk_requests=%d\nwrk_duration_us=%d\n", summary.requests, summary.duration))
  io.write(string.format("wrk_errors=%d\nwrk_non2xx=%d\n", e.connect + e.read + e.write + e.timeout, e.status))
  io.write(string.format("wrk_p99_us=%d\n", latency:percentile(99)))
end
