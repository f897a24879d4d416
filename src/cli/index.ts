#!/usr/bin/env node
// The `tollgate` command: serve, migrate, and operator management. Reads the environment once
// through loadConfig, like the server.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { grantOperator } from '../auth/bootstrap-operator.js';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { handleSignals, startServer } from '../main.js';
import { buildServices } from '../services.js';
import { connectDatabase, migrateToLatest } from '../storage/connect.js';

function config() {
  try {
    return loadConfig(process.env, process.cwd());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tollgate: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** The package's version: package.json sits two levels up from src/cli (three from dist/src/cli). */
function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tollgate' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

const program = new Command('tollgate').description('Accounts, API keys, credits and rate limits in front of your APIs.').version(packageVersion(), '-v, --version');

program
  .command('serve', { isDefault: true })
  .description('run the server')
  .action(async () => {
    const server = await startServer(config()).catch((error: unknown) => {
      // A setting found wrong only against storage (a master key that does not match).
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`tollgate: configuration error: ${error.message}\n`);
      process.exit(2);
    });
    handleSignals(server);
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    const cfg = config();
    const db = await connectDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir });
    try {
      const applied = await migrateToLatest(db);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
    } finally {
      await db.close();
    }
  });

const operator = program.command('operator').description('manage server-wide operators');
operator
  .command('create')
  .description('make an existing user a server-wide operator')
  .requiredOption('--email <email>', 'the user to promote')
  .action(async (options: { email: string }) => {
    const services = await buildServices(config(), { logger: createLogger('warn') });
    try {
      const user = await services.storage.users.findByEmail(options.email);
      if (!user) {
        process.stderr.write(`tollgate: no user with email ${options.email}; register first\n`);
        process.exitCode = 1;
        return;
      }
      await services.storage.transaction((tx) => grantOperator(tx, user.id, 'cli', new Date().toISOString()));
      process.stdout.write(`${user.email} (${user.id}) is now an operator\n`);
    } finally {
      await services.close();
    }
  });

// `serve` is the default command, so commander would hand an unknown word to it as an argument
// ("too many arguments for 'serve'"): name the mistake instead.
const word = process.argv[2];
const commands = program.commands.map((command) => command.name());
if (word !== undefined && !word.startsWith('-') && !commands.includes(word) && word !== 'help') {
  process.stderr.write(`tollgate: unknown command '${word}' (commands: ${commands.join(', ')}; tollgate --help)\n`);
  process.exit(2);
}

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`tollgate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
