"""The Redis scripts of the presence store: each change of a room's presence, and each refresh,
is one atomic script that also takes the room's next presence version.

A version is the Redis clock in microseconds, or the last version plus one when that is not
larger: it only grows, also across a Redis restart that lost the last one.

Keys: ``KEYS[1]`` the room's sorted set of ``member:connection`` entries scored by expiry,
``KEYS[2]`` its last presence version.
"""

from __future__ import annotations

_NEXT_VERSION = """
local function next_version(ttl)
  local clock = redis.call('TIME')
  local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
  local version = math.max(now, (tonumber(redis.call('GET', KEYS[2])) or 0) + 1)
  redis.call('SET', KEYS[2], string.format('%.0f', version), 'EX', ttl)
  return version
end
local function member(entry)
  return string.match(entry, '^(%d+):')
end
"""

# ARGV: "add" | "remove", entry, expiry, now, key ttl. Returns {version, online entries}.
CHANGE = (
    _NEXT_VERSION
    + """
if ARGV[1] == 'add' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
else
  redis.call('ZREM', KEYS[1], ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {next_version(ARGV[5]), redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[4], '+inf')}
"""
)

# ARGV: expiry, now, key ttl, this instance's entries... Drops expired entries, renews (or
# restores) ours. Returns {version, online entries, members gone, members back}; the version
# is new when someone went or came back.
REFRESH = (
    _NEXT_VERSION
    + """
local before = {}
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf')) do
  before[member(entry)] = true
end
local dropped = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
for _, entry in ipairs(dropped) do
  redis.call('ZREM', KEYS[1], entry)
end
local back, seen = {}, {}
for index = 4, #ARGV do
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[index])
  local id = member(ARGV[index])
  if not before[id] and not seen[id] then
    seen[id] = true
    table.insert(back, id)
  end
end
if #ARGV >= 4 then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
local online = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf')
local still, gone = {}, {}
for _, entry in ipairs(online) do
  still[member(entry)] = true
end
for _, entry in ipairs(dropped) do
  local id = member(entry)
  if not still[id] then
    still[id] = true
    table.insert(gone, id)
  end
end
local version
if #gone > 0 or #back > 0 then
  version = next_version(ARGV[3])
else
  version = tonumber(redis.call('GET', KEYS[2])) or 0
end
return {version, online, gone, back}
"""
)
