"""The Redis scripts of the presence store: each change of a room's presence, and each refresh,
is one atomic script that also takes the room's next presence version.

A version is the Redis clock in microseconds, or the last version plus one when that is not
larger: it only grows, also across a Redis restart that lost the last one.

Keys: ``KEYS[1]`` the room's sorted set of ``member:connection`` entries scored by expiry,
``KEYS[2]`` its last presence version, ``KEYS[3]`` the hash of its online members' statuses
(``STATUS:microseconds``), ``KEYS[4]`` the sorted set of its typing members scored by expiry.
A member's status and typing mark go when their last entry goes, and a member who comes online
starts ONLINE whatever an older release or a lost write left behind.
"""

from __future__ import annotations


def entry(member_id: int, connection: str) -> str:
    """The entry of one connection of a member: ``member:connection``."""
    return f"{member_id}:{connection}"


def member_of(entry: object) -> int:
    text = entry.decode() if isinstance(entry, bytes) else str(entry)
    return int(text.partition(":")[0])


def members(entries: list[object]) -> tuple[int, ...]:
    """The members of some entries, once each, ascending."""
    return tuple(sorted({member_of(entry) for entry in entries}))


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
local function is_online(id, now)
  for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')) do
    if member(entry) == id then
      return true
    end
  end
  return false
end
local function went_offline(id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
end
"""

# ARGV: "add" | "remove", entry, expiry, now, key ttl, the ONLINE status of a member coming
# online. Returns {version, online entries, statuses (HGETALL)}.
CHANGE = (
    _NEXT_VERSION
    + """
local id = member(ARGV[2])
if ARGV[1] == 'add' then
  if not is_online(id, ARGV[4]) then
    redis.call('HSET', KEYS[3], id, ARGV[6])
  end
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
else
  redis.call('ZREM', KEYS[1], ARGV[2])
  if not is_online(id, ARGV[4]) then
    went_offline(id)
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[5])
return {
  next_version(ARGV[5]),
  redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[4], '+inf'),
  redis.call('HGETALL', KEYS[3]),
}
"""
)

# ARGV: expiry, now, key ttl, the ONLINE status of a member back, this instance's entries...
# Drops expired entries, renews (or restores) ours. Returns {version, online entries, members
# gone, members back, statuses}; the version is new when someone went or came back.
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
for index = 5, #ARGV do
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[index])
  local id = member(ARGV[index])
  if not before[id] and not seen[id] then
    seen[id] = true
    table.insert(back, id)
    redis.call('HSET', KEYS[3], id, ARGV[4])
  end
end
if #ARGV >= 5 then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
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
    went_offline(id)
  end
end
local version
if #gone > 0 or #back > 0 then
  version = next_version(ARGV[3])
else
  version = tonumber(redis.call('GET', KEYS[2])) or 0
end
return {version, online, gone, back, redis.call('HGETALL', KEYS[3])}
"""
)

# ARGV: member id, status, now, key ttl. Sets the status of a member who is online and takes
# the next version; nil when the member is not online. Returns {version, online entries,
# statuses}.
STATUS = (
    _NEXT_VERSION
    + """
if not is_online(ARGV[1], ARGV[3]) then
  return false
end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return {
  next_version(ARGV[4]),
  redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], '+inf'),
  redis.call('HGETALL', KEYS[3]),
}
"""
)

# ARGV: member id, "1" (typing) | "0" (stopped), now, typing expiry, key ttl. Marks (or unmarks)
# a member who is online; nil when the member is not online. Typing changes no presence: the
# version stays. Returns {version, online entries, statuses}.
TYPING = (
    _NEXT_VERSION
    + """
if not is_online(ARGV[1], ARGV[3]) then
  return false
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[3])
if ARGV[2] == '1' then
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
  redis.call('EXPIRE', KEYS[4], ARGV[5])
else
  redis.call('ZREM', KEYS[4], ARGV[1])
end
return {
  redis.call('GET', KEYS[2]) or '0',
  redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], '+inf'),
  redis.call('HGETALL', KEYS[3]),
}
"""
)
