// The command table of the `corebank` CLI. A command returns its exit code, or -1 to keep the
// process running (serve).
import { serve } from './serve.js';
import { openRuntime } from './runtime.js';
import { verifyCommand } from './verify.js';
import { userCommand } from './users.js';
import { keysCommand } from './keys.js';
import { fraudCommand } from './fraud.js';

export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  serve: {
    summary: 'migrate the database and serve the API (embedded PostgreSQL unless DATABASE_URL is set)',
    async run() {
      await serve();
      return -1;
    },
  },
  migrate: {
    summary: 'apply pending database migrations and exit',
    async run() {
      const rt = await openRuntime({ startDatabase: true, migrate: true });
      await rt.close();
      return 0;
    },
  },
  verify: {
    summary: 'reconcile the ledger and check every invariant; exits 1 on any discrepancy',
    run: () => verifyCommand(),
  },
  user: {
    summary:
      'user create --email E --password P --role R [--name N]: create a login (works while serve runs)',
    run: (args) => userCommand(args),
  },
  keys: {
    summary: 'keys rotate: re-encrypt stored personal data under the newest key of the keyring',
    run: (args) => keysCommand(args),
  },
  fraud: {
    summary:
      'fraud simulate [--seed N …]: precision and recall of the fraud rules on a synthetic population; fraud bench: screening cost',
    run: (args) => fraudCommand(args),
  },
  help: {
    summary: 'list the commands',
    async run() {
      console.log('Usage: corebank <command> [options]\n');
      for (const [name, c] of Object.entries(commands)) console.log(`  ${name.padEnd(14)} ${c.summary}`);
      return 0;
    },
  },
};
