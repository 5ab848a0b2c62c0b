/** What /proc says of a process: CPU time, memory, bytes read, and where its sockets point. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of the process (all its threads), in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set now and its peak (VmRSS, VmHWM), in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Bytes the process read through read(2) and friends (files, sockets, pipes): `rchar` of /proc/<pid>/io. */
export function readChars(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return Number(/rchar:\s+(\d+)/.exec(io)?.[1] ?? NaN);
}

function hexAddress(field: string): { ip: string; port: number } {
  const [addr, port] = field.split(':');
  let ip: string;
  if (addr.length === 8) ip = [3, 2, 1, 0].map((i) => parseInt(addr.slice(i * 2, i * 2 + 2), 16)).join('.');
  else ip = addr === '00000000000000000000000000000000' ? '::' : addr === '00000000000000000000000001000000' ? '::1' : `v6:${addr}`;
  return { ip, port: parseInt(port, 16) };
}

const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1';
const isAny = (ip: string): boolean => ip === '0.0.0.0' || ip === '::';

/** One socket of the process that is not confined to loopback. */
export interface OpenSocket {
  proto: string;
  local: string;
  remote: string;
}

/**
 * The process's TCP and UDP sockets bound to or connected to an address other than loopback (an
 * unconnected socket's remote is "any"; a socket bound to "any" could send anywhere, so it is listed).
 */
export function nonLoopbackSockets(pid: number): OpenSocket[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const out: OpenSocket[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let table: string;
    try {
      table = readFileSync(`/proc/${pid}/net/${proto}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9])) continue;
      const local = hexAddress(cols[1]);
      const remote = hexAddress(cols[2]);
      const confined = isLoopback(local.ip) && (isAny(remote.ip) || isLoopback(remote.ip));
      if (!confined) out.push({ proto, local: `${local.ip}:${local.port}`, remote: `${remote.ip}:${remote.port}` });
    }
  }
  return out;
}
