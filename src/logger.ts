// Logs (pino): JSON lines for machines, readable lines (pino-pretty) for a person at a terminal.
// Keys, tokens, passwords and provider secrets never reach a log line: request headers that carry
// them are redacted, and request bodies are never logged.
import pino, { type DestinationStream, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';
import sonicBoom from 'sonic-boom';

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

/** Log output held in memory while standard output is slow; lines past it are dropped (and counted). */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;
/** At exit, how often a full pipe is waited for (100 ms each) before what is left is given up. */
const EXIT_RETRIES = 20;
/**
 * Lines are gathered into writes of this many bytes (about 15 request lines), and what is gathered is
 * written at the latest FLUSH_EVERY_MS after its first line: one system call per line cost a request
 * at one connection about a tenth of its CPU time.
 */
const GATHERED_BYTES = 4096;
const FLUSH_EVERY_MS = 100;

let droppedLines = 0;
/** Log lines dropped since start: standard output was gone, or too slow to take them (tollgate_log_lines_dropped_total). */
export function droppedLogLines(): number {
  return droppedLines;
}

/** Destinations written out synchronously when the process exits (one listener for all of them). */
const flushedAtExit = new Set<() => void>();
process.on('exit', () => {
  for (const flush of flushedAtExit) flush();
});

/**
 * Standard output, written asynchronously (issue 11 item 5): lines are queued and written by the
 * event loop, many per system call (GATHERED_BYTES, or every FLUSH_EVERY_MS), instead of one
 * blocking write each; a line waits at most FLUSH_EVERY_MS plus the time the reader takes. What is queued
 * when the process exits (a stop, process.exit, an uncaught exception) is written synchronously
 * then; a SIGKILL loses it. A reader that went away (`tollgate serve | tee log`, then Ctrl-C) must not
 * stop shutdown, nor one that stalls block the gateway: once stdout is gone, or more than
 * MAX_QUEUED_BYTES wait, lines are dropped and counted. (pino's own asynchronous destination retries
 * a broken pipe at exit forever; sonic-boom 5 gives up.)
 */
export function asyncOutput(fd = 1): DestinationStream {
  // Node makes a pipe or socket on stdout non-blocking when it opens process.stdout. Left blocking,
  // a write to a reader that stopped reading would hold a thread the process waits for at exit;
  // non-blocking, it is retried (EXIT_RETRIES at exit) and then given up.
  if (fd === 1) void process.stdout;
  let exiting = false;
  let exitRetries = 0;
  let gone = false;
  const stream = new sonicBoom.SonicBoom({ fd, sync: false, maxLength: MAX_QUEUED_BYTES, retryEAGAIN: () => !exiting || ++exitRetries <= EXIT_RETRIES });
  // Gathered here, not with sonic-boom's minLength: its flush, the only way to write a short buffer
  // out, also fsyncs the file (ten times a second for a server whose output goes to a file).
  let gathered: string[] = [];
  let gatheredBytes = 0;
  let timer: NodeJS.Timeout | null = null;
  const writeGathered = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (gathered.length === 0) return;
    const chunk = gathered.join('');
    gathered = [];
    gatheredBytes = 0;
    stream.write(chunk);
  };
  stream.on('error', function dropLinesOnBrokenPipe(error: NodeJS.ErrnoException) {
    if (error.code !== 'EPIPE') throw error;
    gone = true;
  });
  stream.on('drop', (chunk: string) => (droppedLines += chunk.split('\n').length - 1));
  flushedAtExit.add(function flushAtExit() {
    exiting = true;
    if (gone) return;
    writeGathered();
    try {
      stream.flushSync();
    } catch {
      // The reader is gone or stalled: what is left is lost.
    }
  });
  return {
    write(line: string) {
      if (gone) {
        droppedLines += 1;
        return;
      }
      gathered.push(line);
      gatheredBytes += line.length;
      if (gatheredBytes >= GATHERED_BYTES) writeGathered();
      else timer ??= setTimeout(writeGathered, FLUSH_EVERY_MS).unref();
    },
  };
}

/** Standard output written synchronously, for readable lines at a terminal (a person reads them as they come). */
function standardOutput(): DestinationStream {
  const stdout = pino.destination({ dest: 1, sync: true });
  stdout.on('error', function dropLinesOnBrokenPipe(error: NodeJS.ErrnoException) {
    if (error.code !== 'EPIPE') throw error;
  });
  return stdout;
}

export function createLogger(level: string, destination: DestinationStream = asyncOutput()): Logger {
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
