/** Piece picker: which blocks to request from which peer. */
export { Picker } from './picker';
export type { BlockRequest, BlockReceipt, PickHints, PickerOptions } from './picker';
export { DEADLINE_NEAR_MS } from './deadlines';
export type { PieceDeadline } from './deadlines';
export { FILE_PRIORITIES, PiecePriority, fileBytesDone, isFilePriority, piecePriorities, wantedMask } from './priorities';
export type { FilePriority, PrioritizedFile } from './priorities';
