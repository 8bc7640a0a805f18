// Tiny `--name value` option parsing for CLI commands.

export function parseOptions(args: string[], allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!m || !allowed.includes(m[1]!))
      throw new Error(`Unknown option ${arg}; expected ${allowed.map((a) => `--${a}`).join(', ')}`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new Error(`Option --${m[1]} needs a value`);
    out[m[1]!] = value;
  }
  return out;
}
