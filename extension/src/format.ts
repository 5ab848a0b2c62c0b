/** Human-readable sizes, rates and percentages for the tree, the status bar and messages. */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Formats a byte count with decimal units: 0 B, 980 B, 12.3 MB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** Formats a rate in bytes per second: 12.3 MB/s. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Formats a fraction 0..1 as a whole percentage, never showing 100% before completion. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction) || fraction <= 0) return '0%';
  if (fraction >= 1) return '100%';
  return `${Math.min(99, Math.floor(fraction * 100))}%`;
}

/** Formats an upload/download ratio with two decimals; infinite when nothing was downloaded. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '∞';
  return ratio.toFixed(2);
}
