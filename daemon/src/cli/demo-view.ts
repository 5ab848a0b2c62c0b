/** What `btd demo` shows: who sent how much to whom, and one combined status line for the swarm. */
import type { PeerSummary, TorrentSummary } from '../session';
import { formatBytes } from './transfer-view';

/** One session of the demo swarm, known by its listening port. */
export interface Participant {
  name: string;
  port: number;
}

interface Flow {
  from: string;
  to: string;
  bytes: number;
}

/**
 * Bytes received per (sender, receiver) pair, built from connection snapshots. Only the dialing end
 * of a connection knows the other's listening port, so each connection is counted from that end;
 * every participant is observed, so every connection has exactly one such end.
 */
export class ShareLedger {
  private readonly flows = new Map<string, Flow>();

  constructor(private readonly participants: Participant[]) {}

  /** Records one snapshot of a connection seen by `observer`. Counters only grow per connection. */
  observe(observer: string, peer: PeerSummary): void {
    if (peer.direction !== 'outgoing') return;
    const remote = this.participants.find((p) => p.port === peer.port && p.name !== observer);
    if (remote === undefined) return;
    this.record(`${observer}|${peer.id}|in`, remote.name, observer, peer.downloaded);
    this.record(`${observer}|${peer.id}|out`, observer, remote.name, peer.uploaded);
  }

  /** Bytes `to` received from `from`. */
  received(from: string, to: string): number {
    let sum = 0;
    for (const f of this.flows.values()) if (f.from === from && f.to === to) sum += f.bytes;
    return sum;
  }

  private record(key: string, from: string, to: string, bytes: number): void {
    const f = this.flows.get(key);
    if (f === undefined) this.flows.set(key, { from, to, bytes });
    else f.bytes = Math.max(f.bytes, bytes);
  }
}

/** `leecher-1  45.2% 12.0 MiB/s | leecher-2  40.1% 11.0 MiB/s | seeder up 20.0 MiB/s`. */
export function formatSwarmLine(leechers: { name: string; summary: TorrentSummary }[], seeder: TorrentSummary): string {
  const parts = leechers.map(
    ({ name, summary: s }) => `${name} ${`${(s.progress * 100).toFixed(1)}%`.padStart(6)} ${formatBytes(s.downloadRate).padStart(9)}/s`,
  );
  parts.push(`seeder up ${formatBytes(seeder.uploadRate)}/s`);
  return parts.join(' | ');
}
