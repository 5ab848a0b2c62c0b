/**
 * The Redis store's Lua scripts. Each runs atomically on the node that holds its swarm: all keys of one
 * swarm carry the info hash as a hash tag (`btd:{<hex>}:s`), so a Redis Cluster keeps them in one slot.
 *
 * Per swarm: `:s` and `:l`, sorted sets of seeder and leecher peer ids scored by expiry time (ms since the
 * epoch), `:p`, a hash from peer id to the peer's record, plus the field `#done` counting `completed`
 * events, and `:i`, a hash from the peer's IP (its 4 or 16 address bytes) to the ids of its peers there,
 * oldest first, 20 bytes each (the per-IP cap and eviction at the swarm cap), and the field `#max!`, a
 * bound on the most ids one IP holds (raised on the way, made exact by a scan). A record is the peer's address part then its key part:
 *   address = <byte n4 (0 or 6)> <n4 bytes compact IPv4> <byte n6 (0 or 18)> <n6 bytes compact IPv6>
 *   key     = empty (no key given) | "\1" <key>
 * The shared totals live in the `{btd}` slot: `btd:{btd}:totals` (a hash of counters) and
 * `btd:{btd}:swarms` (info hashes scored by a time no later than their earliest peer expiry: the sweep
 * looks at a swarm once that time has passed, and sets it to the swarm's true earliest expiry).
 */

/** Announce results in the first reply element; negative ones are refusals. */
export const ANNOUNCE_OK = 1;
export const FULL_TORRENTS = -1;
export const FULL_SWARM = -2;
export const MOVED_PEER = -3;
export const FULL_PEERS = -4;
export const FULL_RATE = -5;

/**
 * Shared by the scripts that change peers: a record's IP, the per-IP lists, and the trim that drops up to
 * `limit` peers of `z` expired before \`now\` (exclusive).
 */
const PEER_LISTS = `
local function ipOf(rec)
  local n4 = string.byte(rec, 1)
  if n4 > 0 then return string.sub(rec, 2, 5) end
  local n6 = string.byte(rec, 2 + n4)
  if n6 and n6 > 0 then return string.sub(rec, 3 + n4, 18 + n4) end
  return ''
end
local function enlist(i, ip, id)
  local s = (redis.call('HGET', i, ip) or '') .. id
  redis.call('HSET', i, ip, s)
  if #s / 20 > tonumber(redis.call('HGET', i, '#max!') or '0') then redis.call('HSET', i, '#max!', #s / 20) end
end
local function unlist(i, ip, id)
  local s = redis.call('HGET', i, ip)
  if not s then return end
  for at = 1, #s, 20 do
    if string.sub(s, at, at + 19) == id then
      s = string.sub(s, 1, at - 1) .. string.sub(s, at + 20)
      break
    end
  end
  if #s == 0 then redis.call('HDEL', i, ip) else redis.call('HSET', i, ip, s) end
end
local function trim(z, p, i, now, limit)
  local gone = redis.call('ZRANGEBYSCORE', z, '-inf', '(' .. now, 'LIMIT', 0, limit)
  if #gone > 0 then
    local recs = redis.call('HMGET', p, unpack(gone))
    for k = 1, #gone do
      if recs[k] then unlist(i, ipOf(recs[k]), gone[k]) end
    end
    redis.call('ZREM', z, unpack(gone))
    redis.call('HDEL', p, unpack(gone))
  end
  return #gone
end
`;

/**
 * One announce, in one round trip.
 * KEYS: seeders, leechers, peers, peers by IP.
 * ARGV: the peer (its 20-byte id, address part and key part in one string); six flags (event: `s`tarted,
 * `c`ompleted, `x` stopped, `-` none; seeder; room for a new swarm; room for a new peer; peer ids wanted;
 * this IP may create a swarm: each `1` or `0`); now; expiry; numwant; most peers per swarm; most expired
 * peers trimmed per set; key expiry (times in ms since the epoch); most peers per IP in a swarm.
 * A new peer past its IP's cap replaces that IP's oldest; in a full swarm it replaces the oldest of the IP
 * holding the most (greatest address among ties) when that IP holds two more than the newcomer's.
 * Reply: { code, complete, incomplete, peers delta, seeders delta, swarms delta } and, when served, the
 * peers handed out: { count, IPv4 entries, IPv6 entries, entries without IPv4, entries with IPv6, ids }.
 * Entry i of each string is peer i's (6 and 18 bytes, zeros where it has no such address); the IPv6 string
 * is empty when no peer has one, the ids (20 bytes each) unless asked for.
 */
export const ANNOUNCE_LUA = `${PEER_LISTS}
local S, L, P, I = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local peer, flags = ARGV[1], ARGV[2]
local id = string.sub(peer, 1, 20)
local n4p = string.byte(peer, 21)
local n6p = string.byte(peer, 22 + n4p)
local addr = string.sub(peer, 21, 22 + n4p + n6p)
local keyPart = string.sub(peer, 23 + n4p + n6p)
local event = string.sub(flags, 1, 1)
local seeder = string.sub(flags, 2, 2) == '1'
local now, expiry = ARGV[3], ARGV[4]
local numwant, maxPerSwarm, limit = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local maxPerIp = tonumber(ARGV[9])
local ip = ipOf(addr)
local existed = redis.call('EXISTS', P) == 1
local goneS = trim(S, P, I, now, limit)
local goneL = trim(L, P, I, now, limit)
local dPeers, dSeeders = -(goneS + goneL), -goneS

local function finish(code, extra)
  local exists = redis.call('EXISTS', P) == 1
  local dSwarms = 0
  if existed and not exists then dSwarms = -1 elseif exists and not existed then dSwarms = 1 end
  local out = { code, redis.call('ZCARD', S), redis.call('ZCARD', L), dPeers, dSeeders, dSwarms }
  if extra then for i = 1, #extra do out[#out + 1] = extra[i] end end
  return out
end

local rec = redis.call('HGET', P, id)
if event == 'x' then
  if rec then
    unlist(I, ipOf(rec), id)
    dSeeders = dSeeders - redis.call('ZREM', S, id)
    redis.call('ZREM', L, id)
    redis.call('HDEL', P, id)
    dPeers = dPeers - 1
  end
  return finish(${ANNOUNCE_OK})
end

if rec then
  local n4 = string.byte(rec, 1)
  local n6 = string.byte(rec, 2 + n4)
  local oldAddr = string.sub(rec, 1, 2 + n4 + n6)
  local oldKey = string.sub(rec, 3 + n4 + n6)
  if oldAddr ~= addr then
    -- Without a matching key, anyone who learned a peer id could redirect its traffic.
    if #oldKey > 0 and oldKey ~= keyPart then return finish(${MOVED_PEER}) end
    if #keyPart == 0 then keyPart = oldKey end
    redis.call('HSET', P, id, addr .. keyPart)
    local oldIp = ipOf(rec)
    if oldIp ~= ip then
      unlist(I, oldIp, id)
      enlist(I, ip, id)
    end
  end
  local wasSeeder = redis.call('ZSCORE', S, id) ~= false
  if wasSeeder ~= seeder then
    if wasSeeder then redis.call('ZREM', S, id) dSeeders = dSeeders - 1 else redis.call('ZREM', L, id) dSeeders = dSeeders + 1 end
  end
else
  if not existed and string.sub(flags, 6, 6) ~= '1' then return finish(${FULL_RATE}) end
  if not existed and string.sub(flags, 3, 3) ~= '1' then return finish(${FULL_TORRENTS}) end
  local victim
  if existed then
    local mine = redis.call('HGET', I, ip) or ''
    local own = #mine / 20
    if own >= maxPerIp then
      victim = string.sub(mine, 1, 20)
    elseif redis.call('ZCARD', S) + redis.call('ZCARD', L) >= maxPerSwarm then
      -- The bound spares the scan when nobody can hold two more than the newcomer's IP.
      if tonumber(redis.call('HGET', I, '#max!') or '0') <= own + 1 then return finish(${FULL_SWARM}) end
      local all = redis.call('HGETALL', I)
      local best, bestN = '', 0
      for k = 1, #all, 2 do
        if all[k] ~= '#max!' then
          local n = #all[k + 1] / 20
          if n > bestN or (n == bestN and all[k] > best) then best, bestN = all[k], n end
        end
      end
      redis.call('HSET', I, '#max!', bestN)
      if bestN <= own + 1 then return finish(${FULL_SWARM}) end
      victim = string.sub(redis.call('HGET', I, best), 1, 20)
    end
  end
  if victim then
    unlist(I, ipOf(redis.call('HGET', P, victim)), victim)
    dSeeders = dSeeders - redis.call('ZREM', S, victim)
    redis.call('ZREM', L, victim)
    redis.call('HDEL', P, victim)
    dPeers = dPeers - 1
  elseif string.sub(flags, 4, 4) ~= '1' then
    return finish(${FULL_PEERS})
  end
  redis.call('HSET', P, id, addr .. keyPart)
  enlist(I, ip, id)
  dPeers = dPeers + 1
  if seeder then dSeeders = dSeeders + 1 end
end
if seeder then redis.call('ZADD', S, expiry, id) else redis.call('ZADD', L, expiry, id) end
if event == 'c' then redis.call('HINCRBY', P, '#done', 1) end
for _, k in ipairs(KEYS) do redis.call('PEXPIREAT', k, ARGV[8]) end

-- Up to numwant others: a seeder gets leechers first; a leecher a share of each pool by their sizes.
local nS, nL = redis.call('ZCARD', S), redis.call('ZCARD', L)
local ids = {}
local function pick(z, want)
  if want <= 0 then return end
  local got = 0
  for _, m in ipairs(redis.call('ZRANDMEMBER', z, want + 1)) do
    if got < want and m ~= id then
      ids[#ids + 1] = m
      got = got + 1
    end
  end
end
if seeder then
  pick(L, math.min(numwant, nL))
  pick(S, math.min(numwant - #ids, nS - 1))
else
  local otherL = nL - 1
  local wantS = math.min(nS, math.floor(numwant * nS / (nS + otherL + 0.0001) + 0.5))
  local wantL = math.min(otherL, numwant - wantS)
  wantS = math.min(nS, numwant - wantL)
  pick(S, wantS)
  pick(L, wantL)
end
local v4s, v6s, idl = {}, {}, {}
local without4, with6 = 0, 0
local Z6, Z18 = string.rep('\\0', 6), string.rep('\\0', 18)
if #ids > 0 then
  local recs = redis.call('HMGET', P, unpack(ids))
  for i = 1, #ids do
    local rec = recs[i] or '\\0\\0'
    local n4 = string.byte(rec, 1)
    local n6 = string.byte(rec, 2 + n4)
    if n4 > 0 then v4s[i] = string.sub(rec, 2, 1 + n4) else v4s[i] = Z6 without4 = without4 + 1 end
    if n6 > 0 then v6s[i] = string.sub(rec, 3 + n4, 2 + n4 + n6) with6 = with6 + 1 else v6s[i] = Z18 end
  end
  if string.sub(flags, 5, 5) == '1' then idl = ids end
end
local v6 = ''
if with6 > 0 then v6 = table.concat(v6s) end
return finish(${ANNOUNCE_OK}, { #ids, table.concat(v4s), v6, without4, with6, table.concat(idl) })
`;

/** KEYS: seeders, leechers, peers, peers by IP. Reply: { complete, incomplete, downloaded }. */
export const SCRAPE_LUA = `
return { redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), tonumber(redis.call('HGET', KEYS[3], '#done') or '0') }
`;

/**
 * Expiry of one swarm outside announces. KEYS: seeders, leechers, peers, peers by IP. ARGV: now, most trimmed per set.
 * A swarm left without peers goes whole (its `completed` count with it), as in the memory store.
 * Reply: { peers removed, seeders removed, swarm removed (1/0), earliest expiry left (0 when gone) }.
 */
export const SWEEP_LUA = `${PEER_LISTS}
local S, L, P, I = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local limit = tonumber(ARGV[2])
local existed = redis.call('EXISTS', P) == 1
local goneS = trim(S, P, I, ARGV[1], limit)
local goneL = trim(L, P, I, ARGV[1], limit)
local earliest = 0
if redis.call('ZCARD', S) + redis.call('ZCARD', L) == 0 then
  redis.call('DEL', P, I)
else
  for _, z in ipairs({ S, L }) do
    local first = redis.call('ZRANGE', z, 0, 0, 'WITHSCORES')
    if first[2] and (earliest == 0 or tonumber(first[2]) < earliest) then earliest = tonumber(first[2]) end
  end
end
local removed = 0
if existed and earliest == 0 then removed = 1 end
return { goneS + goneL, goneS, removed, string.format('%d', earliest) }
`;

/**
 * Removes one swarm whole, to make room in a full table. KEYS: seeders, leechers, peers, peers by IP.
 * Reply: { peers removed, seeders removed, swarm removed (1/0) }.
 */
export const DROP_LUA = `
local seeders = redis.call('ZCARD', KEYS[1])
local peers = seeders + redis.call('ZCARD', KEYS[2])
local existed = redis.call('EXISTS', KEYS[3])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return { peers, seeders, existed }
`;

/**
 * Adds one instance's counts since its last flush to the shared totals and records the swarms it touched.
 * KEYS: totals, swarm index. ARGV: peers, seeders, swarms, announces, scrapes deltas, then pairs of
 * expiry (added only for a swarm not yet listed: a listed one's score is already no later than its
 * earliest expiry; `!time` sets it, so the next sweep looks at the swarm) and hex info hash.
 * Reply: the totals as field, value pairs.
 */
export const FLUSH_LUA = `
local fields = { 'peers', 'seeders', 'swarms', 'announces', 'scrapes' }
for i, f in ipairs(fields) do
  if ARGV[i] ~= '0' then redis.call('HINCRBY', KEYS[1], f, ARGV[i]) end
end
for i = 6, #ARGV, 2 do
  if string.sub(ARGV[i], 1, 1) == '!' then
    redis.call('ZADD', KEYS[2], string.sub(ARGV[i], 2), ARGV[i + 1])
  else
    redis.call('ZADD', KEYS[2], 'NX', ARGV[i], ARGV[i + 1])
  end
end
return redis.call('HGETALL', KEYS[1])
`;
