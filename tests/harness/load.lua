-- A store's busy hour at once, for wrk: its team reads the inbox and replies while its
-- platform posts cart events. Each connection takes the kinds in turn, ten requests a round:
-- four thread lists, two conversations, three events, one reply.
--
--   wrk -s load.lua URL -- API_KEY THREAD_IDS
-- THREAD_IDS: the store's thread ids, comma-separated. The counts of what was sent and the
-- first failure are printed by done() as `key value` lines for tests/harness/load.rs.

local threads = {}

function setup(thread)
  thread:set("number", #threads + 1)
  table.insert(threads, thread)
end

local key
local thread_ids = {}
local turn = 0
sent_lists, sent_conversations, sent_events, sent_replies = 0, 0, 0, 0
failures, first_failure = 0, ""

function init(args)
  key = args[1]
  for id in string.gmatch(args[2], "%d+") do
    table.insert(thread_ids, id)
  end
end

function request()
  turn = turn + 1
  local slot = turn % 10
  local thread = thread_ids[(turn * 7 + number) % #thread_ids + 1]
  local headers = { ["Authorization"] = "Bearer " .. key }
  if slot < 4 then
    sent_lists = sent_lists + 1
    local filter = (slot == 3) and "?filter=awaiting_reply" or ""
    return wrk.format("GET", "/api/v1/threads" .. filter, headers)
  elseif slot < 6 then
    sent_conversations = sent_conversations + 1
    return wrk.format("GET", "/api/v1/threads/" .. thread .. "/messages", headers)
  elseif slot < 9 then
    sent_events = sent_events + 1
    headers["Content-Type"] = "application/json"
    -- Ids unique per thread and turn; customers and carts recur, so events also merge.
    local body = string.format(
      '{"id":"load-%d-%d","type":"checkout.updated","occurred_at":"2026-12-01T10:%02d:00Z",'
        .. '"customer":{"phone":"+1415556%04d","first_name":"Ada"},'
        .. '"cart":{"id":"load-cart-%d","total":"42.50","currency":"USD",'
        .. '"line_items":[{"title":"Linen shirt","quantity":1,"price":"42.50"}]}}',
      number, turn, turn % 60, turn % 1000, (number * 100000 + turn) % 2000)
    return wrk.format("POST", "/api/v1/events", headers, body)
  else
    sent_replies = sent_replies + 1
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/threads/" .. thread .. "/messages", headers,
      '{"body":"Thanks for asking! It ships tomorrow."}')
  end
end

function response(status, headers, body)
  if status >= 400 then
    failures = failures + 1
    if first_failure == "" then
      first_failure = status .. " " .. string.sub(body, 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local out = {
    requests = summary.requests,
    duration_us = summary.duration,
    p50_us = latency:percentile(50),
    p99_us = latency:percentile(99),
    socket_errors = e.connect + e.read + e.write + e.timeout,
    status_errors = e.status,
  }
  local sums = { lists = 0, conversations = 0, events = 0, replies = 0 }
  for _, thread in ipairs(threads) do
    sums.lists = sums.lists + thread:get("sent_lists")
    sums.conversations = sums.conversations + thread:get("sent_conversations")
    sums.events = sums.events + thread:get("sent_events")
    sums.replies = sums.replies + thread:get("sent_replies")
    local failure = thread:get("first_failure")
    if failure ~= "" then
      io.write("first_failure " .. string.gsub(failure, "\n", " ") .. "\n")
    end
  end
  for k, v in pairs(out) do io.write(string.format("%s %d\n", k, v)) end
  for k, v in pairs(sums) do io.write(string.format("sent_%s %d\n", k, v)) end
end
