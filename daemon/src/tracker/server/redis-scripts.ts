/**
 * The Redis store's Lua scripts. Each runs atomically on the node that holds its swarm: all keys of one
 * swarm carry the info hash as a hash tag (`btd:{<hex>}:s`), so a Redis Cluster keeps them in one slot.
 *
 * Per swarm: `:s` and `:l`, sorted sets of seeder and leecher peer ids scored by expiry time (ms since the
 * epoch), `:p`, a hash from peer id to the peer's record, plus the field `#done` counting `completed`
 * events, and `:i`, a hash from the peer's IP (its 4 or 16 address bytes) to the ids of its peers there,
 * oldest first, 20 bytes each (the per-IP cap and eviction at the swarm cap), and the field `#max!`, a
 * bound on the most ids one IP holds (raised on the way, made exact by a scan). A swarm past 80 peers spreads
 * each of these over 2^k buckets (`:s:1`, `:p:1`, ...; see `redis-buckets.ts`), so each stays a listpack.
 * A record is the peer's address part then its key part:
 *   address = <byte n4 (0 or 6)> <n4 bytes compact IPv4> <byte n6 (0 or 18)> <n6 bytes compact IPv6>
 *   key     = empty (no key given) | "\1" <key>
 * The shared totals live in the `{btd}` slot: `btd:{btd}:totals` (a hash of counters) and
 * `btd:{btd}:swarms` (info hashes scored by a time no later than their earliest peer expiry: the sweep
 * looks at a swarm once that time has passed, and sets it to the swarm's true earliest expiry).
 */

/** Announce results in the first reply element; negative ones are refusals. */
import { BUCKETS_LUA } from './redis-buckets';

export const ANNOUNCE_OK = 1;
export const FULL_TORRENTS = -1;
export const FULL_SWARM = -2;
export const MOVED_PEER = -3;
export const FULL_PEERS = -4;
export const FULL_RATE = -5;

/**
 * One announce, in one round trip.
 * KEYS: seeders, leechers, peers, peers by IP.
 * ARGV: the peer (its 20-byte id, address part and key part in one string); six flags (event: `s`tarted,
 * `c`ompleted, `x` stopped, `-` none; seeder; room for a new swarm; room for a new peer; peer ids wanted;
 * this IP may create a swarm: each `1` or `0`); now; expiry; numwant; most peers per swarm; most expired
 * peers trimmed per set; key expiry (times in ms since the epoch); most peers per IP in a swarm; average
 * peers per bucket past which the swarm doubles its buckets (see `redis-buckets.ts`).
 * A new peer past its IP's cap replaces that IP's oldest; in a full swarm it replaces the oldest of the IP
 * holding the most (greatest address among ties) when that IP holds two more than the newcomer's.
 * Reply: { code, complete, incomplete, peers delta, seeders delta, swarms delta } and, when served, the
 * peers handed out: { count, IPv4 entries, IPv6 entries, entries without IPv4, entries with IPv6, ids }.
 * Entry i of each string is peer i's (6 and 18 bytes, zeros where it has no such address); the IPv6 string
 * is empty when no peer has one, the ids (20 bytes each) unless asked for.
 */
export const ANNOUNCE_LUA = `
local S, L, P, I = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
${BUCKETS_LUA}
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
local goneS, goneL = trimDue(now, limit, false)
local dPeers, dSeeders = -(goneS + goneL), -goneS

local function finish(code, extra)
  tidy()
  local exists = redis.call('EXISTS', P) == 1
  local dSwarms = 0
  if existed and not exists then dSwarms = -1 elseif exists and not existed then dSwarms = 1 end
  local nS, nL = counts()
  local out = { code, nS, nL, dPeers, dSeeders, dSwarms }
  if extra then for i = 1, #extra do out[#out + 1] = extra[i] end end
  return out
end

local rec = redis.call('HGET', at(P, bucketOf(id)), id)
if event == 'x' then
  if rec then
    dSeeders = dSeeders - remove(id, rec)
    dPeers = dPeers - 1
  end
  return finish(${ANNOUNCE_OK})
end

if rec then
  local b = bucketOf(id)
  local n4 = string.byte(rec, 1)
  local n6 = string.byte(rec, 2 + n4)
  local oldAddr = string.sub(rec, 1, 2 + n4 + n6)
  local oldKey = string.sub(rec, 3 + n4 + n6)
  if oldAddr ~= addr then
    -- Without a matching key, anyone who learned a peer id could redirect its traffic.
    if #oldKey > 0 and oldKey ~= keyPart then return finish(${MOVED_PEER}) end
    if #keyPart == 0 then keyPart = oldKey end
    redis.call('HSET', at(P, b), id, addr .. keyPart)
    local oldIp = ipOf(rec)
    if oldIp ~= ip then
      unlist(oldIp, id)
      enlist(ip, id)
    end
  end
  local wasSeeder = redis.call('ZSCORE', at(S, b), id) ~= false
  if wasSeeder ~= seeder then
    if wasSeeder then
      redis.call('ZREM', at(S, b), id) dSeeders = dSeeders - 1
    else
      redis.call('ZREM', at(L, b), id) dSeeders = dSeeders + 1
    end
    bump(wasSeeder, -1)
    bump(seeder, 1)
  end
else
  if not existed and string.sub(flags, 6, 6) ~= '1' then return finish(${FULL_RATE}) end
  if not existed and string.sub(flags, 3, 3) ~= '1' then return finish(${FULL_TORRENTS}) end
  local victim
  if existed then
    local mine = redis.call('HGET', at(I, bucketOf(ip)), ip) or ''
    local own = #mine / 20
    local cS, cL = counts()
    if own >= maxPerIp then
      victim = string.sub(mine, 1, 20)
    elseif cS + cL >= maxPerSwarm then
      -- The bound spares the scan when nobody can hold two more than the newcomer's IP.
      if tonumber(redis.call('HGET', I, '#max!') or '0') <= own + 1 then return finish(${FULL_SWARM}) end
      local best, bestN, bestList = '', 0, ''
      for ib = 0, nb - 1 do
        local all = redis.call('HGETALL', at(I, ib))
        for k = 1, #all, 2 do
          if all[k] ~= '#max!' then
            local n = #all[k + 1] / 20
            if n > bestN or (n == bestN and all[k] > best) then best, bestN, bestList = all[k], n, all[k + 1] end
          end
        end
      end
      redis.call('HSET', I, '#max!', bestN)
      if bestN <= own + 1 then return finish(${FULL_SWARM}) end
      victim = string.sub(bestList, 1, 20)
    end
  end
  if victim then
    dSeeders = dSeeders - remove(victim, redis.call('HGET', at(P, bucketOf(victim)), victim))
    dPeers = dPeers - 1
  elseif string.sub(flags, 4, 4) ~= '1' then
    return finish(${FULL_PEERS})
  end
  redis.call('HSET', at(P, bucketOf(id)), id, addr .. keyPart)
  enlist(ip, id)
  dPeers = dPeers + 1
  bump(seeder, 1)
  if seeder then dSeeders = dSeeders + 1 end
  local cS, cL = counts()
  -- The new peer is not in its sorted set yet: counted here, it is added after the rehash.
  if cS + cL + (nb == 1 and 1 or 0) > tonumber(ARGV[10]) * nb then
    local fresh = nb == 1
    grow(ARGV[8])
    -- Counted from the sorted sets, the new peer is not among them yet.
    if fresh then bump(seeder, 1) end
  end
end
local b = bucketOf(id)
if not rec then joined(b, expiry) end
if seeder then redis.call('ZADD', at(S, b), expiry, id) else redis.call('ZADD', at(L, b), expiry, id) end
if event == 'c' then redis.call('HINCRBY', P, '#done', 1) end
for _, k in ipairs({ at(S, b), at(L, b), at(P, b), at(I, bucketOf(ip)), S, L, P, I }) do redis.call('PEXPIREAT', k, ARGV[8]) end
if nb > 1 then redis.call('PEXPIREAT', EB, ARGV[8]) end

-- Up to numwant others: a seeder gets leechers first; a leecher a share of each pool by their sizes.
local nS, nL = counts()
local ids, recs = {}, {}
-- Walks the buckets from one that changes with the time, taking random members of each.
local function pick(z, want)
  if want <= 0 then return end
  local got = 0
  local start = tonumber(now) % nb
  for step = 0, nb - 1 do
    if got >= want then return end
    local zb = (start + step) % nb
    local mine = {}
    for _, m in ipairs(redis.call('ZRANDMEMBER', at(z, zb), want - got + 1)) do
      if got < want and m ~= id then
        mine[#mine + 1] = m
        got = got + 1
      end
    end
    if #mine > 0 then
      local rs = redis.call('HMGET', at(P, zb), unpack(mine))
      for k = 1, #mine do
        ids[#ids + 1] = mine[k]
        recs[#ids] = rs[k]
      end
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
for i = 1, #ids do
  local rec = recs[i] or '\\0\\0'
  local n4 = string.byte(rec, 1)
  local n6 = string.byte(rec, 2 + n4)
  if n4 > 0 then v4s[i] = string.sub(rec, 2, 1 + n4) else v4s[i] = Z6 without4 = without4 + 1 end
  if n6 > 0 then v6s[i] = string.sub(rec, 3 + n4, 2 + n4 + n6) with6 = with6 + 1 else v6s[i] = Z18 end
end
if string.sub(flags, 5, 5) == '1' then idl = ids end
local v6 = ''
if with6 > 0 then v6 = table.concat(v6s) end
return finish(${ANNOUNCE_OK}, { #ids, table.concat(v4s), v6, without4, with6, table.concat(idl) })
`;

/** KEYS: seeders, leechers, peers, peers by IP. Reply: { complete, incomplete, downloaded }. */
export const SCRAPE_LUA = `
local S, L, P, I = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
${BUCKETS_LUA}
local nS, nL = counts()
return { nS, nL, tonumber(redis.call('HGET', P, '#done') or '0') }
`;

/**
 * Expiry of one swarm outside announces. KEYS: seeders, leechers, peers, peers by IP. ARGV: now, most trimmed per set.
 * A swarm left without peers goes whole (its `completed` count with it), as in the memory store.
 * Reply: { peers removed, seeders removed, swarm removed (1/0), earliest expiry left (0 when gone) }.
 */
export const SWEEP_LUA = `
local S, L, P, I = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
${BUCKETS_LUA}
local limit = tonumber(ARGV[2])
local existed = redis.call('EXISTS', P) == 1
local goneS, goneL = trimDue(ARGV[1], limit, true)
local earliest = 0
local nS, nL = counts()
if nS + nL == 0 then
  dropAll()
else
  earliest = earliestExpiry()
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
local S, L, P, I = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
${BUCKETS_LUA}
local seeders, leechers = counts()
local existed = redis.call('EXISTS', P)
dropAll()
return { seeders + leechers, seeders, existed }
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
