// How deep a JSON text nests, found in one pass over its characters without parsing it. Deeply
// nested JSON is refused before JSON.parse and the code after it (validators, serializers, token
// estimates) recurse over it and run out of stack (issue 9 item 20).

/** Real requests (chat messages with tool schemas) nest a few dozen levels at most. */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }

/** True when `text` opens more than `maxDepth` arrays or objects inside one another. */
export function jsonNestsDeeperThan(text: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (OPEN.has(c)) {
      if (++depth > maxDepth) return true;
    } else if (CLOSE.has(c)) depth--;
  }
  return false;
}
