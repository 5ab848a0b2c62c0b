/** `btd info`: show what a .torrent holds, as text or JSON. */
import type { Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import { MAX_METAINFO_SIZE, MetainfoError, buildMagnet, parseMetainfo } from '../metainfo';
import type { Metainfo } from '../metainfo';
import { CliError } from './errors';
import { formatBytes } from './transfer-view';

/** Registers `btd info` on the program. */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show the name, info hash, pieces, files and trackers of a .torrent')
    .argument('<torrent>', 'the .torrent file')
    .option('--json', 'print one JSON object instead of text')
    .option('--files', 'number the files with their index (for --only/--skip and torrent/setFilePriorities)')
    .action((file: string, flags: { json?: boolean; files?: boolean }) => runInfo(file, flags));
}

/** Reads and parses a .torrent, turning every failure into a one-line CliError. */
export async function readTorrentFile(file: string): Promise<Metainfo> {
  const st = await stat(file).catch(() => {
    throw new CliError(`no such file: ${file}`);
  });
  if (!st.isFile()) throw new CliError(`${file} is not a file`);
  if (st.size > MAX_METAINFO_SIZE) throw new CliError(`${file} is too large to be a torrent (${st.size} bytes)`);
  const bytes = await readFile(file);
  try {
    return parseMetainfo(bytes);
  } catch (err) {
    if (err instanceof MetainfoError) throw new CliError(`${file}: ${err.message}`);
    throw err;
  }
}

/** The JSON form printed by `btd info --json`. */
export function infoJson(m: Metainfo): Record<string, unknown> {
  return {
    name: m.name,
    infoHash: m.infoHashHex,
    pieceLength: m.pieceLength,
    pieceCount: m.pieceCount,
    totalLength: m.totalLength,
    multiFile: m.multiFile,
    private: m.private,
    files: shownFiles(m).map(({ f, index }) => ({ index, path: f.path.join('/'), length: f.length, ...(f.attr ? { attr: f.attr } : {}) })),
    trackers: m.announceList,
    webSeeds: m.urlList,
    comment: m.comment,
    createdBy: m.createdBy,
    creationDate: m.creationDate,
    magnet: buildMagnet(m),
  };
}

/** The files a user sees, with their index in the torrent: BEP 47 padding files are left out. */
export function shownFiles(m: Pick<Metainfo, 'files'>): { f: Metainfo['files'][number]; index: number }[] {
  return m.files.flatMap((f, index) => (f.padding ? [] : [{ f, index }]));
}

/** The text form printed by `btd info`. */
export function infoText(m: Metainfo, showIndexes = false): string {
  const lines = [
    `name:         ${m.name}`,
    `info hash:    ${m.infoHashHex}`,
    `magnet:       ${buildMagnet(m)}`,
    `piece length: ${formatBytes(m.pieceLength)} (${m.pieceLength} bytes)`,
    `pieces:       ${m.pieceCount}`,
    `total size:   ${formatBytes(m.totalLength)} (${m.totalLength} bytes)`,
    `private:      ${m.private ? 'yes' : 'no'}`,
  ];
  if (m.createdBy !== undefined) lines.push(`created by:   ${m.createdBy}`);
  if (m.creationDate !== undefined) lines.push(`created on:   ${new Date(m.creationDate * 1000).toISOString()}`);
  if (m.comment !== undefined) lines.push(`comment:      ${m.comment}`);
  lines.push(`trackers:${m.announceList.length === 0 ? '     none' : ''}`);
  m.announceList.forEach((tier, i) => lines.push(`  tier ${i + 1}: ${tier.join(' ')}`));
  if (m.urlList.length > 0) lines.push('web seeds:', ...m.urlList.map((u) => `  ${u}`));
  const files = shownFiles(m);
  lines.push(`files (${files.length}):`);
  for (const { f, index } of files) {
    const attr = f.attr ? `  [${f.attr}]` : '';
    lines.push(`  ${showIndexes ? `${String(index).padStart(String(m.files.length - 1).length)}  ` : ''}${f.path.join('/')}  (${formatBytes(f.length)})${attr}`);
  }
  return `${lines.join('\n')}\n`;
}

async function runInfo(file: string, flags: { json?: boolean; files?: boolean }): Promise<void> {
  const m = await readTorrentFile(file);
  process.stdout.write(flags.json ? `${JSON.stringify(infoJson(m), null, 2)}\n` : infoText(m, flags.files ?? false));
}
