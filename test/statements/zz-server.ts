import { writeFileSync } from 'node:fs';
import { startEmbedded } from '../../src/platform/db/embedded.js';
const server = await startEmbedded({ dataDir: '/tmp/cbpg/data', ephemeral: true, fast: true });
writeFileSync('/tmp/cbpg/url', server.url);
console.log(server.url);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
setInterval(() => undefined, 1 << 30);
