/**
 * The routing table on disk: our node id and the nodes we knew, as JSON in the state folder, written
 * to a temporary file and renamed into place so a crash never leaves half a file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import type { CompactNode } from './krpc';

/** Largest file read back, and most nodes taken from it. */
const MAX_FILE_BYTES = 512 * 1024;
const MAX_SAVED_NODES = 2000;

/** What is saved. */
export interface SavedTable {
  id: Uint8Array;
  nodes: CompactNode[];
}

/** Writes the table (temp file, then rename). */
export async function saveTable(file: string, t: SavedTable): Promise<void> {
  const json = JSON.stringify({
    version: 1,
    id: Buffer.from(t.id).toString('hex'),
    nodes: t.nodes.slice(0, MAX_SAVED_NODES).map((n) => [Buffer.from(n.id).toString('hex'), n.ip, n.port]),
  });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, json);
  await rename(tmp, file);
}

/** Reads a saved table; undefined when there is none or it is not valid. */
export async function loadTable(file: string): Promise<SavedTable | undefined> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_FILE_BYTES) return undefined;
    text = bytes.toString('utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as { version?: unknown; id?: unknown; nodes?: unknown };
    if (v.version !== 1 || typeof v.id !== 'string' || !/^[0-9a-f]{40}$/.test(v.id) || !Array.isArray(v.nodes)) return undefined;
    const nodes: CompactNode[] = [];
    for (const n of v.nodes.slice(0, MAX_SAVED_NODES) as unknown[]) {
      if (!Array.isArray(n) || n.length !== 3) continue;
      const [id, ip, port] = n as unknown[];
      if (typeof id !== 'string' || !/^[0-9a-f]{40}$/.test(id) || typeof ip !== 'string' || !isIPv4(ip)) continue;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) continue;
      nodes.push({ id: new Uint8Array(Buffer.from(id, 'hex')), ip, port });
    }
    return { id: new Uint8Array(Buffer.from(v.id, 'hex')), nodes };
  } catch {
    return undefined;
  }
}
