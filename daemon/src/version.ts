/** btd's version, as released. */
export const VERSION = '0.1.0';
