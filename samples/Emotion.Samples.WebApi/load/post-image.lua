-- wrk script for load.sh: POSTs one image as the raw request body and counts the answers by status, plus 200 answers
-- that do not hold exactly one face. Set IMAGE (a path) and IMAGE_TYPE (default image/jpeg) in the environment.
local path = os.getenv("IMAGE") or error("set IMAGE to the photo to post")
local file = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = os.getenv("IMAGE_TYPE") or "image/jpeg"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  wrong = 0
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 then
    local _, faces = string.gsub(body, '"box":', "")
    if faces ~= 1 then wrong = wrong + 1 end
  end
end

function done(summary, latency, requests)
  local counts, non2xx, wrongTotal = {}, 0, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
      if status < 200 or status > 299 then non2xx = non2xx + n end
    end
    wrongTotal = wrongTotal + thread:get("wrong")
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.2f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f mean_ms=%.1f\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
  io.write(string.format("RESULT errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d non2xx=%d wrong_face_count=%d\n",
    e.connect, e.read, e.write, e.timeout, non2xx, wrongTotal))
  for status, n in pairs(counts) do io.write(string.format("RESULT status_%d=%d\n", status, n)) end
end
