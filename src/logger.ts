// JSON logs (pino). Keys, tokens, passwords and provider secrets never reach a log line: request
// headers that carry them are redacted, and request bodies are never logged.
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.api_key',
  '*.key',
  '*.secret',
  '*.access_token',
  '*.refresh_token',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'tollgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
