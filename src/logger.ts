// Logs (pino): JSON lines for machines, readable lines (pino-pretty) for a person at a terminal.
// Keys, tokens, passwords and provider secrets never reach a log line: request headers that carry
// them are redacted, and request bodies are never logged.
import pino, { type DestinationStream, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';

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

/**
 * Standard output, where a reader may go away first (`tollgate serve | tee log`, then Ctrl-C): a
 * broken pipe must not stop shutdown, so once stdout is gone log lines are dropped, not fatal.
 */
function standardOutput(): DestinationStream {
  const stdout = pino.destination({ dest: 1, sync: true });
  stdout.on('error', function dropLinesOnBrokenPipe(error: NodeJS.ErrnoException) {
    if (error.code !== 'EPIPE') throw error;
  });
  return stdout;
}

export function createLogger(level: string, destination: DestinationStream = standardOutput()): Logger {
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

/** Readable lines when asked for, or (auto) when a person is reading: standard output is a terminal. */
export function usesPrettyLogs(format: 'json' | 'pretty' | 'auto', isTerminal: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTerminal);
}

/** The server's logger on standard output, in the format `format` and the terminal decide. */
export function createConsoleLogger(level: string, format: 'json' | 'pretty' | 'auto', isTerminal = process.stdout.isTTY === true): Logger {
  if (!usesPrettyLogs(format, isTerminal)) return createLogger(level);
  const pretty = PinoPretty({ colorize: isTerminal, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service', destination: standardOutput(), sync: true });
  return createLogger(level, pretty);
}
