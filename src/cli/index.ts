#!/usr/bin/env node
// The `tollgate` command: serve, migrate, config check, and management for operators who script
// (operators, keys, credits). Reads the environment once through loadConfig, like the server;
// management commands leave the config file unread (they need the database, not the providers).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { grantOperator } from '../auth/bootstrap-operator.js';
import { ConfigError, loadConfig, type LoadOptions } from '../config.js';
import { packageRoot } from '../core/package-root.js';
import { createLogger } from '../logger.js';
import { startServer } from '../main.js';
import { buildServices, type Services } from '../services.js';
import { environmentHelp } from './environment-help.js';
import { limitHeapGrowth } from './heap-growth.js';
import { CommandError, createKey, grantCredits, listKeys, revokeKey } from './management.js';
import { connectDatabase, migrateToLatest } from '../storage/connect.js';

function config(options: LoadOptions = {}) {
  try {
    return loadConfig(process.env, process.cwd(), options);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tollgate: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** The package's version, from the package.json at its root (the sources, the build, or an image). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'tollgate' && pkg.version) return pkg.version;
  } catch {
    // no readable package.json
  }
  return 'unknown';
}

const program = new Command('tollgate').description('Accounts, API keys, credits and rate limits in front of your APIs.').version(packageVersion(), '-v, --version');

/** Runs a management command over the services of a node that serves nothing, and closes them. */
async function manage(run: (services: Services) => Promise<void>): Promise<void> {
  const services = await buildServices(config({ readFile: false }), { logger: createLogger('warn') });
  try {
    await run(services);
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    process.stderr.write(`tollgate: ${error.message}\n`);
    process.exitCode = 1;
  } finally {
    await services.close();
  }
}

program
  .command('serve', { isDefault: true })
  .description('run the server')
  .addHelpText('after', environmentHelp())
  .action(async () => {
    limitHeapGrowth();
    await startServer(config(), { handleSignals: true }).catch((error: unknown) => {
      // A setting found wrong only against storage (a master key that does not match).
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`tollgate: configuration error: ${error.message}\n`);
      process.exit(2);
    });
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
  .action((options: { email: string }) =>
    manage(async (services) => {
      const user = await services.storage.users.findByEmail(options.email);
      if (!user) throw new CommandError(`no user with email ${options.email}; register first`);
      await services.storage.transaction((tx) => grantOperator(tx, user.id, 'cli', new Date().toISOString()));
      process.stdout.write(`${user.email} (${user.id}) is now an operator\n`);
    }),
  );

const keys = program.command('keys').description("manage a user's API keys");
keys
  .command('list')
  .description("list a user's keys, tab-separated")
  .requiredOption('--email <email>', 'whose keys')
  .action((options: { email: string }) => manage(async (services) => void process.stdout.write(`${(await listKeys(services, options.email)).join('\n')}\n`)));
keys
  .command('create')
  .description('mint a personal key for a user; the key alone is printed on stdout, once')
  .requiredOption('--email <email>', 'for whom')
  .option('--name <name>', 'a name to tell it by')
  .option('--test', 'a test key (tg_test_…) instead of a live one')
  .action((options: { email: string; name?: string; test?: boolean }) =>
    manage(async (services) => {
      const created = await createKey(services, { email: options.email, name: options.name ?? null, environment: options.test ? 'test' : 'live' });
      process.stderr.write(`created ${created.id} in account ${created.accountId}\n`);
      process.stdout.write(`${created.key}\n`);
    }),
  );
keys
  .command('revoke')
  .description('revoke a key now, on every node')
  .argument('<key-id>', 'the key (key_…)')
  .action((keyId: string) => manage(async (services) => void process.stdout.write(`${keyId} ${await revokeKey(services, keyId)}\n`)));

const credits = program.command('credits').description('manage credit balances');
credits
  .command('grant')
  .description("grant credits to an account (a negative amount debits); prints the balance after")
  .requiredOption('--amount <credits>', 'whole credits', (value) => Number(value))
  .option('--account <id>', 'the account (acc_…)')
  .option('--email <email>', "or the user whose personal account it is")
  .option('--reason <text>', 'kept in the ledger')
  .action((options: { amount: number; account?: string; email?: string; reason?: string }) =>
    manage(async (services) => {
      if (!options.account === !options.email) throw new CommandError('give one of --account or --email');
      const granted = await grantCredits(services, { accountId: options.account, email: options.email, amount: options.amount, reason: options.reason ?? null });
      process.stdout.write(`${granted.accountId}\tbalance ${granted.balanceAfter}\n`);
    }),
  );

program
  .command('config')
  .description('configuration')
  .command('check')
  .description('read the environment and config file as serve would, cross-check them, and print a summary')
  .action(() => {
    const cfg = config();
    const file = cfg.file;
    const lines = [
      `config: ${cfg.configPath ?? 'no file (defaults)'}`,
      `storage: ${cfg.databaseUrl ? 'PostgreSQL' : `SQLite in ${cfg.dataDir}`}${cfg.redisUrl ? ', with Redis' : ''}`,
      `providers: ${file.providers.length}, aliases: ${file.aliases.length}, routes: ${file.routes.length}, prices: ${file.prices.length}`,
      'ok',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
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
