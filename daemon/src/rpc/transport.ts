/**
 * The message layer under a connection: the frame size guard, vscode-jsonrpc's reader behind the guard
 * that answers bad JSON and invalid requests, and a writer that can end the connection once a reply has
 * been written (a refused token must still reach the client).
 */
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Message,
  type MessageConnection,
  type MessageWriter,
} from 'vscode-jsonrpc/node';
import type { Writable } from 'node:stream';
import { ErrorCodes } from '../../../protocol/src';
import { frameLimitStream, MAX_MESSAGE_BYTES } from './frame-limit';
import { GuardedMessageReader } from './message-guard';
import { stringifyWithRaw } from './raw-json';

/** A message connection plus the hook that closes it after the next reply. */
export interface Transport {
  conn: MessageConnection;
  /** After the next response is written, calls `then` (e.g. to end the connection). */
  afterNextReply(then: () => void): void;
}

/**
 * Writes one message as its header and body, at once: the library's writer waits for the header's
 * write to complete before it writes the body, two turns of the event loop per message, and a start
 * of 10,000 torrents sends some 20,000 notifications. Writes of one turn go out together (cork). Kept
 * JSON text in the message (RawJson) is spliced in, not serialised again.
 */
export function writeFrame(output: NodeJS.WritableStream, msg: Message): Promise<void> {
  const body = Buffer.from(stringifyWithRaw(msg), 'utf8');
  const w = output as NodeJS.WritableStream & Partial<Pick<Writable, 'cork' | 'uncork' | 'writableCorked'>>;
  if (w.cork && w.uncork && w.writableCorked === 0) {
    w.cork();
    process.nextTick(() => w.uncork!());
  }
  output.write(`Content-Length: ${body.byteLength}\r\n\r\n`, 'ascii');
  return new Promise((resolve, reject) => output.write(body, (err) => (err ? reject(err) : resolve())));
}

/** Builds the connection over a byte stream pair; `log` receives the library's own complaints. */
export function openTransport(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, log: (message: string) => void): Transport {
  const stream = new StreamMessageWriter(output);
  let onReply: (() => void) | undefined;
  const writer: MessageWriter = {
    onError: stream.onError,
    onClose: stream.onClose,
    end: () => stream.end(),
    dispose: () => stream.dispose(),
    write: async (msg: Message) => {
      await writeFrame(output, msg);
      if (onReply && 'id' in msg) onReply();
    },
  };
  const limited = frameLimitStream(
    (bytes) => void writer.write({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.InvalidRequest, message: `invalid request: a message of ${bytes} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit` } } as Message).catch(() => undefined),
    // Framing cannot be recovered: say why (a parse error with id null, as JSON-RPC has it for a message
    // that cannot be read), then the stream ends and so does the connection (the stdio daemon exits 1).
    (why) => {
      log(`closing the connection: ${why}`);
      return writer.write({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.ParseError, message: `framing error, closing: ${why}` } } as Message);
    },
  );
  input.pipe(limited);
  const reader = new GuardedMessageReader(new StreamMessageReader(limited), writer);
  const conn = createMessageConnection(reader, writer, { error: log, warn: log, info: () => undefined, log: () => undefined });
  return { conn, afterNextReply: (then) => (onReply = then) };
}
