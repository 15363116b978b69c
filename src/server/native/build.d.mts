/** The directory holding Node's node_api.h, or undefined. */
export function nodeHeaders(): string | undefined;
