/** The typed failure of metainfo parsing, path sanitizing and magnet parsing. */

/** Machine-readable reasons a torrent, path or magnet is refused. */
export type MetainfoErrorCode =
  | 'not-bencode'
  | 'missing-field'
  | 'bad-field'
  | 'bad-piece-length'
  | 'bad-pieces'
  | 'bad-length'
  | 'unsafe-path'
  | 'duplicate-path'
  | 'empty'
  | 'too-many-files'
  | 'unsupported'
  | 'bad-magnet'
  | 'bad-select-only';

/** Bad metainfo; the message names the field and is fit for a person at a terminal. */
export class MetainfoError extends Error {
  constructor(readonly code: MetainfoErrorCode, message: string) {
    super(message);
    this.name = 'MetainfoError';
  }
}
