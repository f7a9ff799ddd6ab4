/** Limits the demo server enforces and the demo page shows; shared so the two cannot drift. */

/** Longest chat message the server accepts, in characters. */
export const MAX_CHAT_LENGTH = 500;
