/** Paths of the repository as seen from out/test/extension/suite/. */
import { resolve } from 'node:path';

/** The repository root (also the extension's root). */
export const REPO_ROOT = resolve(__dirname, '../../../..');
