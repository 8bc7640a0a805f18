// `corebank keys rotate`: re-encrypts every stored secret (national ids, TOTP secrets) under the
// newest key of the PII keyring. With the development keyring (COREBANK_DATA_DIR/secrets.json)
// it first adds a new key to it; with PII_KEYRING from the environment, add the new key there
// (newest last) on every instance first, then run this.
import { recordAudit } from '../modules/audit/service.js';
import { systemActor } from '../modules/audit/types.js';
import { resealTotpSecrets } from '../modules/auth/service.js';
import { resealNationalIds } from '../modules/customers/service.js';
import type { AppContext } from '../context.js';
import { loadConfig } from '../platform/config.js';
import { piiCrypto } from '../platform/crypto.js';
import { tx } from '../platform/db/tx.js';
import { newPiiKey, parseKeyringSpec, readSecretsFile, writeSecretsFile } from '../platform/secrets.js';
import { openRuntime } from './runtime.js';

/** Adds a fresh key (newest last) to a development secrets file; returns its id. */
export function addKeyToSecretsFile(file: string): string {
  const content = readSecretsFile(file);
  if (!content.piiKeyring) throw new Error(`${file} has no piiKeyring`);
  const ids = new Set(parseKeyringSpec(content.piiKeyring).map((e) => e.id));
  let n = ids.size + 1;
  while (ids.has(`k${n}`)) n++;
  const id = `k${n}`;
  writeSecretsFile(file, { ...content, piiKeyring: `${content.piiKeyring},${id}:${newPiiKey()}` });
  return id;
}

/** Re-encrypts everything under the newest key of ctx's keyring and audits it. */
export async function reencryptAll(
  ctx: AppContext,
): Promise<{ keyId: string; customers: number; users: number }> {
  const keyId = piiCrypto(ctx.config).keyring.activeKeyId;
  const customers = await resealNationalIds(ctx);
  const users = await resealTotpSecrets(ctx);
  await tx(ctx.pool, (client) =>
    recordAudit(client, {
      actor: systemActor('corebank-cli keys rotate'),
      entityType: 'keyring',
      entityId: keyId,
      action: 'keys.rotated',
      after: { activeKeyId: keyId, customers, users },
    }),
  );
  return { keyId, customers, users };
}

export async function keysCommand(args: string[]): Promise<number> {
  if (args[0] !== 'rotate' || args.length > 1) {
    console.error('Usage: corebank keys rotate');
    return 2;
  }
  const rt = await openRuntime({ startDatabase: true, migrate: true, logLevel: 'warn' });
  try {
    let config = rt.config;
    if (config.secretsFile) {
      const id = addKeyToSecretsFile(config.secretsFile);
      console.log(`added key ${id} to ${config.secretsFile}`);
      config = loadConfig();
    } else {
      console.log(`using the newest key of PII_KEYRING (${piiCrypto(config).keyring.activeKeyId})`);
    }
    const r = await reencryptAll({ ...rt.ctx, config });
    console.log(`re-encrypted ${r.customers} national ids and ${r.users} TOTP secrets under key ${r.keyId}`);
    if (rt.config.secretsFile) console.log('restart running servers so new writes use the new key too');
    return 0;
  } finally {
    await rt.close();
  }
}
