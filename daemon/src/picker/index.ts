/** Piece picker: which blocks to request from which peer. */
export { Picker } from './picker';
export type { BlockRequest, BlockReceipt, PieceLayout, PickerOptions } from './picker';
export { FILE_PRIORITIES, PiecePriority, fileBytesDone, isFilePriority, piecePriorities, wantedMask } from './priorities';
export type { FilePriority, PrioritizedFile } from './priorities';
