-- wrk script: POST /search with common-space vector queries (64 fixed random 128-d bodies, cycled).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(1)
local bodies = {}
for i = 1, 64 do
  local v = {}
  for j = 1, 128 do v[j] = string.format("%.4f", math.random() * 2 - 1) end
  bodies[i] = '{"vector":[' .. table.concat(v, ",") .. '],"from":"embedding","k":10}'
end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/search", nil, bodies[(n % #bodies) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.1f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
