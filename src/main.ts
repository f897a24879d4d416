// Start-up and shutdown: load config → build services → build the app → listen. On SIGTERM or
// SIGINT: stop accepting, let in-flight requests and streams finish (bounded), close storage.
import { buildApp, type App } from './app.js';
import { applyBootstrapOperator } from './auth/bootstrap-operator.js';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
import { buildServices, type Services } from './services.js';

export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  app: App;
  services: Services;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const services = await buildServices(config, { logger });
  await applyBootstrapOperator(services);
  const app = await buildApp(services);
  const url = await app.listen({ host: config.host, port: config.port });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      const timer = setTimeout(() => {
        logger.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'in-flight requests did not finish in time; closing anyway');
        app.server.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      await app.close();
      clearTimeout(timer);
      await services.close();
      logger.info('stopped');
    })());
  return { app, services, url, stop };
}

export function handleSignals(server: RunningServer): void {
  const onSignal = (signal: NodeJS.Signals) => {
    server.services.logger.info({ signal }, 'signal received');
    server.stop().then(
      () => process.exit(0),
      (error) => {
        server.services.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
