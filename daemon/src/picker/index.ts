/** Piece picker: which blocks to request from which peer. */
export { Picker } from './picker';
export type { BlockRequest, BlockReceipt, PieceLayout, PickerOptions } from './picker';
