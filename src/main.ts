// Start-up and shutdown: load config → build services → build the app → listen. On SIGTERM or
// SIGINT: stop accepting, let in-flight requests and streams finish (bounded), close storage; a
// second signal exits at once, and a stop that hangs ends at a hard bound (core/shutdown-signals.ts).
import { buildApp, type App } from './app.js';
import { applyBootstrapOperator } from './auth/bootstrap-operator.js';
import type { Config } from './config.js';
import { shutdownOnSignals } from './core/shutdown-signals.js';
import { createConsoleLogger } from './logger.js';
import { buildServices, type Services } from './services.js';

export const SHUTDOWN_GRACE_MS = 10_000;
const IDLE_CLOSE_EVERY_MS = 100;

export interface RunningServer {
  app: App;
  services: Services;
  url: string;
  stop(): Promise<void>;
}

/** What a person starting the server wants to see once: where it is, its console and docs, where its data is, what it serves. */
function startBanner(config: Config, url: string) {
  return {
    url,
    docs: `${url}/docs`,
    console: `${url}/console`,
    storage: config.databaseUrl ? 'postgresql' : `sqlite in ${config.dataDir}`,
    redis: config.redisUrl !== undefined,
    config_file: config.configPath ?? null,
    providers: config.file.providers.length,
    aliases: config.file.aliases.length,
    routes: config.file.routes.length,
  };
}

export interface StartOptions {
  /**
   * SIGTERM and SIGINT stop this server gracefully (the CLI's `serve`). Installed before it listens:
   * a signal that arrives as soon as the port is open (an orchestrator's quick stop) drains instead of
   * killing the process with the default action.
   */
  handleSignals?: boolean;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = createConsoleLogger(config.logLevel, config.logFormat);
  const services = await buildServices(config, { logger });
  await applyBootstrapOperator(services);
  const app = await buildApp(services);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      const timer = setTimeout(() => {
        logger.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'in-flight requests did not finish in time; closing anyway');
        app.server.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      // Fastify closes the connections idle when the stop begins; a keep-alive connection whose
      // last response (a stream) ends later would hold the drain open until the grace ran out.
      // Close each one as it goes idle, so the stop ends when the last response does.
      const idleCloser = setInterval(() => app.server.closeIdleConnections(), IDLE_CLOSE_EVERY_MS);
      idleCloser.unref();
      await app.close();
      clearInterval(idleCloser);
      clearTimeout(timer);
      await services.close();
      logger.info('stopped');
    })());
  if (options.handleSignals) handleSignals(stop, services.logger);
  const url = await app.listen({ host: config.host, port: config.port });
  logger.info(startBanner(config, url), `Tollgate is ready at ${url} (console: ${url}/console, API reference: ${url}/docs)`);
  return { app, services, url, stop };
}

/** Past the drain's grace, what closing storage and clients may take before the process exits anyway. */
export const SHUTDOWN_CLOSE_MS = 5_000;

function handleSignals(stop: () => Promise<void>, logger: Services['logger']): void {
  const onSignal = shutdownOnSignals({
    stop,
    exit: (code) => process.exit(code),
    after: (ms, run) => void setTimeout(run, ms).unref(),
    log: (level, message, data) => logger[level](data, message),
    hardLimitMs: SHUTDOWN_GRACE_MS + SHUTDOWN_CLOSE_MS,
    now: () => performance.now(),
  });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
