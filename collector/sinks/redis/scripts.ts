/**
 * Server-side scripts of the Redis sink. Each runs atomically, so "compare, then write" cannot
 * interleave with another writer, and a whole batch's latest-state keys cost one round trip
 * (WATCH/MULTI would cost a round trip per key and retry on contention; bench/suites/redis.ts
 * measures both).
 */
import { createHash } from 'node:crypto';

export interface RedisScript {
  readonly lua: string;
  readonly sha: string;
}

function script(lua: string): RedisScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * Latest-state keys only move forward. A record's place in time is (session epoch, seq): within
 * a session the seq decides; across sessions the epoch in the sessions hash does (a session
 * unknown there, or a value that is not one of our records, is older than anything).
 *
 * KEYS[1] = sessions hash, KEYS[2..n] = latest keys.
 * ARGV[1] = our session, ARGV[2] = its epoch ms, then per latest key: seq, record JSON.
 * Returns { written, stale }.
 *
 * The stored record's session and seq are read from the tail every record ends with
 * (`,"session":"…","seq":N}`, collector/records/json.ts); the tail is matched on the last 160
 * bytes first so a book of any depth costs the same.
 */
export const LATEST_SCRIPT = script(`
local sessions = KEYS[1]
local session = ARGV[1]
local epoch = tonumber(ARGV[2])
local pattern = ',"session":"([^"]*)","seq":(%d+)}$'
local written, stale = 0, 0
for i = 2, #KEYS do
  local seq = tonumber(ARGV[2 * i - 1])
  local cur = redis.call('GET', KEYS[i])
  local newer = true
  if cur then
    local s, q = string.match(string.sub(cur, -160), pattern)
    if s == nil then s, q = string.match(cur, pattern) end
    if s ~= nil then
      local e = epoch
      if s ~= session then e = tonumber(redis.call('HGET', sessions, s) or '-1') end
      q = tonumber(q)
      if e > epoch or (e == epoch and q >= seq) then newer = false end
    end
  end
  if newer then
    redis.call('SET', KEYS[i], ARGV[2 * i])
    written = written + 1
  else
    stale = stale + 1
  end
end
return { written, stale }
`);

/**
 * The session's epoch ms, the first part of its stream IDs: the one already registered, or a new
 * one above every other session's and every stream's top ID, so a new session's entries always
 * sort after everything the streams hold, even when the wall clock stepped back.
 *
 * KEYS[1] = sessions hash, KEYS[2..n] = streams. ARGV[1] = session, ARGV[2] = now (epoch ms).
 * Returns the epoch as a string (a Lua number would be turned into an integer reply anyway;
 * a string keeps every digit).
 */
export const SESSION_EPOCH_SCRIPT = script(`
local known = redis.call('HGET', KEYS[1], ARGV[1])
if known then return known end
local floor = tonumber(ARGV[2])
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
  local n = tonumber(v)
  if n ~= nil and n >= floor then floor = n + 1 end
end
for i = 2, #KEYS do
  local top = redis.call('XREVRANGE', KEYS[i], '+', '-', 'COUNT', 1)
  if top[1] then
    local ms = tonumber(string.match(top[1][1], '^(%d+)'))
    if ms ~= nil and ms >= floor then floor = ms + 1 end
  end
end
local text = string.format('%d', floor)
redis.call('HSET', KEYS[1], ARGV[1], text)
return text
`);

/**
 * Many stream entries in one call: per entry `XADD <stream> MAXLEN ~ N <epoch>-<seq> symbol S
 * json J`. An ID that is not above the stream's top (a re-delivered record) is counted, not
 * stored; any other refusal ends the call with that error. One script call costs Redis about
 * half of the same XADDs pipelined one by one (bench/suites/redis.ts, "redis alone").
 *
 * KEYS[1] = stream. ARGV[1] = N, ARGV[2] = epoch ms, then per entry: seq, symbol, record JSON.
 * Returns { added, rejected }.
 */
export const STREAM_SCRIPT = script(`
local maxlen = ARGV[1]
local epoch = ARGV[2]
local added, rejected = 0, 0
for i = 3, #ARGV, 3 do
  local ok, err = pcall(redis.call, 'XADD', KEYS[1], 'MAXLEN', '~', maxlen, epoch .. '-' .. ARGV[i], 'symbol', ARGV[i + 1], 'json', ARGV[i + 2])
  if ok then
    added = added + 1
  else
    local msg = type(err) == 'table' and err.err or tostring(err)
    if string.find(msg, 'equal or smaller', 1, true) then
      rejected = rejected + 1
    else
      return redis.error_reply(msg)
    end
  end
end
return { added, rejected }
`);
