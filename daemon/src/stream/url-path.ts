/** The path of a file URL: /<token>/<info hash>/<file index>/<file name>. The name is there for players; only the index counts. */

/** The parts of a file URL's path. */
export interface FilePath {
  token: string;
  infoHashHex: string;
  fileIndex: number;
}

const INFO_HASH = /^[0-9a-fA-F]{40}$/;
const INDEX = /^(0|[1-9][0-9]{0,8})$/;

/** The path for a file (name: the file's last path component). */
export function formatFilePath(p: FilePath, name: string): string {
  return `/${p.token}/${p.infoHashHex}/${p.fileIndex}/${encodeURIComponent(name)}`;
}

/** The token of a path (its first segment), or undefined. */
export function tokenOf(pathname: string): string | undefined {
  const m = /^\/([^/?#]+)/.exec(pathname);
  return m ? m[1] : undefined;
}

/** The parts of a path, or undefined when it is not a file path (a 404). */
export function parseFilePath(pathname: string): FilePath | undefined {
  const parts = pathname.split('/');
  if (parts.length < 4 || parts.length > 5 || parts[0] !== '') return undefined;
  const [, token, hash, index] = parts;
  if (!token || !INFO_HASH.test(hash) || !INDEX.test(index)) return undefined;
  return { token, infoHashHex: hash.toLowerCase(), fileIndex: Number(index) };
}
