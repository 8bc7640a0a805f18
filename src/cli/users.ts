// `corebank user create --email E --password P --role R [--name N]`: creates a login (staff, or
// a customer with --name). Works while `serve` runs: it uses the running server's database.
import { systemActor } from '../modules/audit/types.js';
import { roles, type Role } from '../modules/auth/roles.js';
import { createUser } from '../modules/auth/service.js';
import { isBankError } from '../platform/errors.js';
import { parseOptions } from './args.js';
import { openRuntime } from './runtime.js';

export const userCreateUsage =
  'corebank user create --email E --password P --role customer|teller|analyst|auditor|admin [--name "Full Name"]';

export async function userCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    console.error(`Usage: ${userCreateUsage}`);
    return 2;
  }
  const opts = parseOptions(rest, ['email', 'password', 'role', 'name']);
  const password = opts.password ?? process.env.COREBANK_NEW_PASSWORD;
  if (!opts.email || !password || !opts.role) {
    console.error(`Usage: ${userCreateUsage}\n(the password may come from COREBANK_NEW_PASSWORD instead)`);
    return 2;
  }
  if (!(roles as readonly string[]).includes(opts.role)) {
    console.error(`--role must be one of ${roles.join(', ')}`);
    return 2;
  }
  const rt = await openRuntime({ startDatabase: true, migrate: true, logLevel: 'warn' });
  try {
    const user = await createUser(
      rt.ctx,
      { email: opts.email, password, role: opts.role as Role, fullName: opts.name },
      systemActor('corebank-cli user create'),
    );
    console.log(`created ${user.role} ${user.email} (id ${user.id})`);
    return 0;
  } catch (err) {
    if (!isBankError(err)) throw err;
    console.error(`${err.code}: ${err.message}`);
    for (const e of err.errors ?? []) console.error(`  ${e.path.replace(/^body\./, '--')}: ${e.message}`);
    return 1;
  } finally {
    await rt.close();
  }
}
