-- wrk script: POST one document to /v1/extract over and over, then print a
-- summary (requests/s, latency percentiles, non-2xx answers).
-- The document's path comes from PACTUM_BENCH_FILE.

local path = os.getenv("PACTUM_BENCH_FILE")
local f = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/pdf"

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write("\n---- pactum HTTP benchmark ----\n")
  io.write(string.format("document            %s (%d bytes)\n", path, #wrk.body))
  io.write(string.format("requests            %d in %.1f s\n", summary.requests, seconds))
  io.write(string.format("requests/s          %.1f\n", summary.requests / seconds))
  io.write(string.format("latency p50         %.1f ms\n", latency:percentile(50) / 1000))
  io.write(string.format("latency p90         %.1f ms\n", latency:percentile(90) / 1000))
  io.write(string.format("latency p99         %.1f ms\n", latency:percentile(99) / 1000))
  io.write(string.format("latency max         %.1f ms\n", latency.max / 1000))
  io.write(string.format("non-2xx responses   %d\n", e.status))
  io.write(string.format("socket errors       connect %d, read %d, write %d, timeout %d\n",
                         e.connect, e.read, e.write, e.timeout))
end
