/**
 * The Lua shared by the Redis store's scripts: a swarm's buckets and the peer lists within them.
 *
 * Redis keeps a hash or sorted set compact (a listpack) only while it has at most 128 entries
 * (`hash-max-listpack-entries`, `zset-max-listpack-entries`); past that every entry costs a hash table
 * entry, an object and a string, about three times as much. So a swarm spreads its peers over 2^k
 * buckets, k in the field `#k` of the first peers hash (absent: 0, one bucket). Bucket 0 of each structure
 * is the key given in KEYS (`btd:{hex}:s`, ...), bucket b > 0 that key with `:b` appended: the same hash
 * tag, so the same Cluster slot. A peer's bucket comes from a hash of its id, its per-IP entry's from a
 * hash of its IP. A swarm doubles its buckets once it holds more than BUCKET_PEERS per bucket, moving
 * the entries whose next hash bit is set (a deterministic rehash, in the announce that crosses the line).
 * With more than one bucket, the first peers hash also counts seeders (`#s`) and leechers (`#l`), and
 * the string `btd:{hex}:p:e` holds a bound per bucket on its earliest peer expiry: an announce trims only the buckets whose
 * bound has passed, so expired peers are never counted or handed out, at a few calls per due bucket.
 */

/**
 * Average peers per bucket past which a swarm doubles its buckets: well under 128 for a random hash.
 * The hash is not keyed: clients that pick ids (or addresses) to land in one bucket cost that bucket its
 * compact encoding (memory), never correctness; the per-IP and per-swarm caps still bound them.
 */
export const BUCKET_PEERS = 80;

/** Expects S, L, P, I (bucket 0 keys) in scope. Defines nb and the helpers below. */
export const BUCKETS_LUA = `
local nb = 2 ^ tonumber(redis.call('HGET', P, '#k') or '0')
local function hashOf(s)
  local h = 0
  for k = 1, #s do h = (h * 31 + string.byte(s, k)) % 16777216 end
  return h
end
local function at(base, b) if b == 0 then return base end return base .. ':' .. b end
local function bucketOf(s) if nb == 1 then return 0 end return hashOf(s) % nb end
local function ipOf(rec)
  local n4 = string.byte(rec, 1)
  if n4 > 0 then return string.sub(rec, 2, 5) end
  local n6 = string.byte(rec, 2 + n4)
  if n6 and n6 > 0 then return string.sub(rec, 3 + n4, 18 + n4) end
  return ''
end
local function counts()
  if nb == 1 then return redis.call('ZCARD', S), redis.call('ZCARD', L) end
  return tonumber(redis.call('HGET', P, '#s') or '0'), tonumber(redis.call('HGET', P, '#l') or '0')
end
local function bump(seeder, d)
  if nb == 1 or d == 0 then return end
  if seeder then redis.call('HINCRBY', P, '#s', d) else redis.call('HINCRBY', P, '#l', d) end
end
local function enlist(ip, id)
  local i = at(I, bucketOf(ip))
  local s = (redis.call('HGET', i, ip) or '') .. id
  redis.call('HSET', i, ip, s)
  if #s / 20 > tonumber(redis.call('HGET', I, '#max!') or '0') then redis.call('HSET', I, '#max!', #s / 20) end
end
local function unlist(ip, id)
  local i = at(I, bucketOf(ip))
  local s = redis.call('HGET', i, ip)
  if not s then return end
  for a = 1, #s, 20 do
    if string.sub(s, a, a + 19) == id then
      s = string.sub(s, 1, a - 1) .. string.sub(s, a + 20)
      break
    end
  end
  if #s == 0 then redis.call('HDEL', i, ip) else redis.call('HSET', i, ip, s) end
end
-- Removes a known peer (its record rec); returns 1 if it was a seeder, else 0.
local function remove(pid, rec)
  local b = bucketOf(pid)
  unlist(ipOf(rec), pid)
  local wasS = redis.call('ZREM', at(S, b), pid)
  local wasL = redis.call('ZREM', at(L, b), pid)
  redis.call('HDEL', at(P, b), pid)
  bump(true, -wasS)
  bump(false, -wasL)
  return wasS
end
-- Drops up to limit peers of bucket b of z expired before now (exclusive); returns how many.
local function trimBucket(z, b, now, limit, seeder)
  local zb, pb = at(z, b), at(P, b)
  local gone = redis.call('ZRANGEBYSCORE', zb, '-inf', '(' .. now, 'LIMIT', 0, limit)
  if #gone > 0 then
    local recs = redis.call('HMGET', pb, unpack(gone))
    for k = 1, #gone do
      if recs[k] then unlist(ipOf(recs[k]), gone[k]) end
    end
    redis.call('ZREM', zb, unpack(gone))
    redis.call('HDEL', pb, unpack(gone))
    bump(seeder, -#gone)
  end
  return #gone
end
-- With buckets, the string key EB holds one bound per bucket, 13 digits each: no later than the bucket's
-- earliest peer expiry, 0 only for an empty bucket. Announces trim just the buckets whose bound has passed.
-- (Its own key: a hash keeps its listpack only for values of up to 64 bytes.)
local EB = P .. ':e'
local E = {}
-- Reads the bounds; false when they are missing or short (then every bucket is due).
local function loadBounds()
  local s = redis.call('GET', EB) or ''
  for b = 0, nb - 1 do E[b] = tonumber(string.sub(s, b * 13 + 1, b * 13 + 13)) or 0 end
  return #s == nb * 13
end
local function saveBounds()
  local parts = {}
  for b = 0, nb - 1 do parts[b + 1] = string.format('%013d', E[b]) end
  redis.call('SET', EB, table.concat(parts))
end
-- The exact earliest expiry in bucket b (0 when empty).
local function exactBound(b)
  local e = 0
  for _, z in ipairs({ S, L }) do
    local first = redis.call('ZRANGE', at(z, b), 0, 0, 'WITHSCORES')
    if first[2] and (e == 0 or tonumber(first[2]) < e) then e = tonumber(first[2]) end
  end
  return e
end
-- The earliest peer expiry left in any bucket (0 when none).
local function earliestExpiry()
  if nb == 1 then return exactBound(0) end
  local e = 0
  for b = 0, nb - 1 do if E[b] > 0 and (e == 0 or E[b] < e) then e = E[b] end end
  return e
end
-- Trims the buckets due at now (all of them when all is true); returns seeders and leechers removed.
local function trimDue(now, limit, all)
  if nb == 1 then return trimBucket(S, 0, now, limit, true), trimBucket(L, 0, now, limit, false) end
  if not loadBounds() then all = true end
  local gS, gL, changed = 0, 0, false
  for b = 0, nb - 1 do
    if all or (E[b] > 0 and E[b] < tonumber(now)) then
      gS = gS + trimBucket(S, b, now, limit, true)
      gL = gL + trimBucket(L, b, now, limit, false)
      E[b] = exactBound(b)
      changed = true
    end
  end
  if changed then saveBounds() end
  return gS, gL
end
-- A peer joined bucket b with this expiry: an empty bucket's bound becomes it.
local function joined(b, expiry)
  if nb == 1 or E[b] > 0 then return end
  E[b] = tonumber(expiry)
  saveBounds()
end
-- Every key of the swarm, bucket by bucket.
local function allKeys()
  local out = {}
  for b = 0, nb - 1 do
    for _, base in ipairs({ S, L, P, I }) do out[#out + 1] = at(base, b) end
  end
  out[#out + 1] = EB
  return out
end
-- Deletes every key of the swarm, a bucket at a time.
local function dropAll()
  for b = 0, nb - 1 do redis.call('DEL', at(S, b), at(L, b), at(P, b), at(I, b)) end
  redis.call('DEL', EB)
end
-- Doubles the buckets: entries whose hash has the bit nb set move from bucket b to b + nb.
local function grow(keyExpiry)
  if nb == 1 then
    redis.call('HSET', P, '#s', redis.call('ZCARD', S), '#l', redis.call('ZCARD', L))
  end
  for b = 0, nb - 1 do
    for _, z in ipairs({ S, L }) do
      local all = redis.call('ZRANGE', at(z, b), 0, -1, 'WITHSCORES')
      for k = 1, #all, 2 do
        if math.floor(hashOf(all[k]) / nb) % 2 == 1 then
          redis.call('ZADD', at(z, b + nb), all[k + 1], all[k])
          redis.call('ZREM', at(z, b), all[k])
        end
      end
    end
    for _, h in ipairs({ P, I }) do
      local all = redis.call('HGETALL', at(h, b))
      for k = 1, #all, 2 do
        local f = all[k]
        -- Peer ids are 20 bytes and IPs 0, 4 or 16: the other fields are the swarm's own.
        local own = (h == P and #f ~= 20) or (h == I and f == '#max!')
        if not own and math.floor(hashOf(f) / nb) % 2 == 1 then
          redis.call('HSET', at(h, b + nb), f, all[k + 1])
          redis.call('HDEL', at(h, b), f)
        end
      end
    end
  end
  nb = nb * 2
  redis.call('HSET', P, '#k', math.floor(math.log(nb) / math.log(2) + 0.5))
  for b = 0, nb - 1 do E[b] = exactBound(b) end
  saveBounds()
  for _, k in ipairs(allKeys()) do redis.call('PEXPIREAT', k, keyExpiry) end
end
-- After the last peer left a bucketed swarm: its own fields go, so an empty swarm leaves no key behind.
local function tidy()
  if nb == 1 then return end
  local s, l = counts()
  if s + l == 0 then redis.call('HDEL', P, '#k', '#s', '#l') redis.call('DEL', EB) nb = 1 end
end
`;
