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
import { ErrorCodes } from '../../../protocol/src';
import { frameLimitStream, MAX_MESSAGE_BYTES } from './frame-limit';
import { GuardedMessageReader } from './message-guard';

/** A message connection plus the hook that closes it after the next reply. */
export interface Transport {
  conn: MessageConnection;
  /** After the next response is written, calls `then` (e.g. to end the connection). */
  afterNextReply(then: () => void): void;
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
      await stream.write(msg);
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
