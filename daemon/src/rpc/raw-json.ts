/**
 * JSON text kept from an earlier serialisation, spliced into a message as it is written instead of
 * being serialised again. `torrent/list` of 10,000 quiet torrents is some 3.7 MB of JSON: written from
 * the kept text of each torrent, the reply costs a join instead of a walk of 10,000 objects.
 *
 * `stringifyWithRaw` serialises a message; each RawJson in it stands in the output as a placeholder
 * string carrying a nonce of that call, replaced afterwards by its text. Outside that call a RawJson
 * serialises as the value its text holds (slowly, by parsing it), so it is never wrong, only slower.
 */
import { randomBytes } from 'node:crypto';

interface Splice {
  prefix: string;
  texts: string[];
}

let active: Splice | undefined;

export class RawJson {
  constructor(
    /** Valid JSON text of one value. */
    readonly text: string,
  ) {}

  toJSON(): unknown {
    if (active === undefined) return JSON.parse(this.text) as unknown;
    active.texts.push(this.text);
    return `${active.prefix}${active.texts.length - 1}`;
  }
}

/** JSON.stringify of `value`, with the text of every RawJson in it spliced in as it is. */
export function stringifyWithRaw(value: unknown): string {
  const splice: Splice = { prefix: `\u0000raw-${randomBytes(6).toString('hex')}-`, texts: [] };
  const outer = active;
  active = splice;
  let text: string;
  try {
    text = JSON.stringify(value);
  } finally {
    active = outer;
  }
  if (splice.texts.length === 0) return text;
  // A placeholder is a JSON string: `"\u0000raw-<nonce>-<i>"` in the output (JSON escapes U+0000).
  const quoted = JSON.stringify(splice.prefix).slice(1, -1);
  const pattern = new RegExp(`"${quoted.replace(/\\/g, '\\\\')}(\\d+)"`, 'g');
  return text.replace(pattern, (_, i: string) => splice.texts[Number(i)]);
}
