// Reading the cookies a response sets, as a browser would keep them.
import { rememberSecret } from './log-capture.js';

/** A Set-Cookie line of `response` for `name`: its value (remembered as a secret) and lower-cased attributes. */
export function cookieOf(response: Response, name: string): { value: string; attributes: string[] } | undefined {
  const line = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!line) return undefined;
  const [pair, ...attributes] = line.split(';').map((part) => part.trim());
  const value = pair!.slice(name.length + 1);
  rememberSecret(value);
  return { value, attributes: attributes.map((a) => a.toLowerCase()) };
}
