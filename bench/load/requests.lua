-- wrk script for every HTTP benchmark of the bench, configured by environment variables:
--   BENCH_METHOD   GET | POST                                    (default GET)
--   BENCH_BODY     referral: a new referral per request (unique e-mail), POST only
--   BENCH_TOKENS   file with one bearer token per line; requests rotate through them so that
--                  per-user limits (600 requests/min, 10 codes/hour, 10 referrals/day) see
--                  each user as rarely as possible. Empty: no Authorization header.
--   BENCH_RUN_ID   makes the e-mails of this run unique (one person is referred once)
--   BENCH_IP_BASE  first client address number of this run (X-Forwarded-For in 100.64.0.0/10),
--                  so that runs do not share addresses (5 referrals per client IP per day)
--   BENCH_HEADER   one more request header, "Name: value" (e.g. "Cache-Control: no-cache")
--   WRK_RESULT     file that receives a JSON summary: throughput, latency percentiles, statuses
-- The path (with its query) is the one of the URL given to wrk.
-- Why wrk: a C event loop that keeps 64 connections busy from a fraction of one core, which
-- matters on a 2-core machine that also runs the API and PostgreSQL; its Lua hooks give the
-- per-request token and body, and the done() hook any percentile (wrk --latency prints no p95).

local threads = {}
local thread_count = 0

function setup(thread)
    thread:set("thread_index", thread_count)
    thread_count = thread_count + 1
    table.insert(threads, thread)
end

local method, body_kind, run_id, extra_name, extra_value
local tokens = {}
local counter = 0
statuses = {}

function init(args)
    method = os.getenv("BENCH_METHOD") or "GET"
    body_kind = os.getenv("BENCH_BODY") or ""
    run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
    local path = os.getenv("BENCH_TOKENS") or ""
    if path ~= "" then
        for line in io.lines(path) do
            if #line > 0 then
                tokens[#tokens + 1] = line
            end
        end
    end
    thread_total = tonumber(os.getenv("BENCH_THREADS") or "1")
    ip_base = tonumber(os.getenv("BENCH_IP_BASE") or "0")
    extra_name, extra_value = string.match(os.getenv("BENCH_HEADER") or "", "^([^:]+):%s*(.+)$")
end

local reward_types = { "credit", "credit", "credit", "discount", "discount", "feature" }

function request()
    counter = counter + 1
    local n = counter * thread_total + thread_index
    local headers = {}
    if #tokens > 0 then
        headers["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]
    end
    if extra_name then
        headers[extra_name] = extra_value
    end
    local body = nil
    if body_kind == "referral" then
        headers["Content-Type"] = "application/json"
        -- A distinct client address per request in 100.64.0.0/10, which the generated history
        -- does not use. The apps see it because the bench makes loopback their trusted proxy
        -- (bench/lib/api.sh); otherwise every request comes from 127.0.0.1.
        local ip = ip_base + n
        headers["X-Forwarded-For"] = string.format("100.%d.%d.%d", 64 + math.floor(ip / 65536) % 64,
            math.floor(ip / 256) % 256, ip % 256)
        body = string.format(
            '{"referredEmail":"bench-%s-%d-%d@load.bench.test","rewardType":"%s","referrerType":"%s"}',
            run_id, thread_index, counter, reward_types[(n % #reward_types) + 1],
            (n % 5 == 0) and "couple" or "supplier")
    end
    return wrk.format(method, nil, headers, body)
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local merged = {}
    for _, thread in ipairs(threads) do
        local counts = thread:get("statuses")
        for status, count in pairs(counts) do
            merged[status] = (merged[status] or 0) + count
        end
    end
    local status_parts = {}
    for status, count in pairs(merged) do
        status_parts[#status_parts + 1] = string.format('"%d":%d', status, count)
    end
    local ms = function(us) return us / 1000.0 end
    local seconds = summary.duration / 1e6
    local json = string.format(
        '{"requests":%d,"duration_s":%.3f,"rps":%.1f,' ..
        '"latency_ms":{"mean":%.3f,"stdev":%.3f,"p50":%.3f,"p90":%.3f,"p95":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f},' ..
        '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},"statuses":{%s}}',
        summary.requests, seconds, summary.requests / seconds,
        ms(latency.mean), ms(latency.stdev), ms(latency:percentile(50)), ms(latency:percentile(90)),
        ms(latency:percentile(95)), ms(latency:percentile(99)), ms(latency:percentile(99.9)), ms(latency.max),
        summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
        summary.errors.status, table.concat(status_parts, ","))
    local out = os.getenv("WRK_RESULT")
    if out and out ~= "" then
        local f = assert(io.open(out, "w"))
        f:write(json, "\n")
        f:close()
    end
    io.write("bench-result ", json, "\n")
end
