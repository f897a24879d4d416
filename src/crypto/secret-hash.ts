// Secrets (API keys, refresh and service tokens) are stored as HMAC-SHA-256 under a server secret:
// a stolen database alone does not let anyone test guesses offline. Comparison is constant-time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmacHex(secret: Buffer, value: string): string {
  return createHmac('sha256', secret).update(value, 'utf8').digest('hex');
}

export function constantTimeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
