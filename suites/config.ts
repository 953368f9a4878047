/**
 * The run configuration (`mdmca run --config FILE`, YAML or JSON): which target stands behind each role, with
 * its credentials. Secrets are named, never written: `{ env: NAME }` or `{ file: PATH }`; they are resolved
 * when a run starts and kept out of every report and log line.
 *
 *   targets:
 *     scep-ca:
 *       url: https://ca.example.test/certsrv/mscep/mscep.dll
 *       challenge: { env: SCEP_CHALLENGE }
 *   suites: [scep-server]
 *   reporters: [junit, json, html]
 *   out: reports/out
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { TargetSpec } from './model.js';

export const REPORTERS = ['junit', 'json', 'html'] as const;
export type Reporter = (typeof REPORTERS)[number];

const secretSchema = z.union([
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof secretSchema>;

const targetSchema = z.union([
  z.literal('simulator'),
  /** A client under test run as a program, e.g. `command:scepclient` (micromdm's flags). */
  z.string().regex(/^command:.+/, 'a target is "simulator", "command:PROGRAM" or { url, … }'),
  z
    .object({
      url: z.url({ protocol: /^https?$/ }),
      /** Admin surface of an mdmca simulator running elsewhere (`mdmca serve`), for checks that steer it. */
      admin: z.url({ protocol: /^https?$/ }).optional(),
      challenge: secretSchema.optional(),
      username: z.string().optional(),
      password: secretSchema.optional(),
      /** An RA or client identity as .p12, for CAs that authenticate by client certificate. */
      clientP12: z.string().optional(),
      clientP12Password: secretSchema.optional(),
      /** PEM file of the roots that signed the target's TLS certificate, when they are not public ones. */
      trustedCertificates: z.string().optional(),
    })
    .strict(),
]);

export const configSchema = z
  .object({
    targets: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'role names are lower-case, like scep-ca'), targetSchema).default({}),
    suites: z.array(z.string()).optional(),
    reporters: z.array(z.enum(REPORTERS)).optional(),
    out: z.string().optional(),
  })
  .strict();
export type RunConfig = z.infer<typeof configSchema>;

/** A configuration problem: every issue with its path, as DESIGN.md asks; the CLI exits 2 on it. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export async function loadConfig(file: string): Promise<RunConfig & { baseDir: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(file, [`not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`]);
  }
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`));
  }
  return { ...parsed.data, baseDir: dirname(resolve(file)) };
}

/** `--target ROLE=URL`, `ROLE=simulator`, or `ROLE=command:PROGRAM` for a client under test. */
export function parseTargetOption(value: string): { role: string; url: string } {
  const match = /^([a-z][a-z0-9-]*)=(.+)$/.exec(value);
  if (!match) throw new Error(`--target wants ROLE=URL (e.g. scep-ca=http://127.0.0.1:8080/scep), not "${value}"`);
  const [, role, url] = match as unknown as [string, string, string];
  if (url !== 'simulator' && !/^https?:\/\/[^/]/.test(url) && !/^command:.+/.test(url)) {
    throw new Error(`--target ${role}: "${url}" is not an http(s) URL, "simulator" or "command:PROGRAM"`);
  }
  return { role, url };
}

/**
 * The target of each role: the config file's, overridden by `--target`, `simulator` for the rest. Secrets are
 * read here, once; a missing variable or file is a configuration error naming the role and field.
 */
export async function resolveTargets(
  roles: readonly string[],
  config: (RunConfig & { baseDir: string }) | undefined,
  overrides: ReadonlyArray<{ role: string; url: string }>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Map<string, TargetSpec>> {
  const targets = new Map<string, TargetSpec>();
  const problems: string[] = [];
  const baseDir = config?.baseDir ?? process.cwd();
  const read = async (role: string, field: string, ref: SecretRef | undefined): Promise<string | undefined> => {
    if (!ref) return undefined;
    if ('env' in ref) {
      const value = env[ref.env];
      if (value === undefined) problems.push(`targets.${role}.${field}: environment variable ${ref.env} is not set`);
      return value;
    }
    try {
      return (await readFile(resolve(baseDir, ref.file), 'utf8')).trim();
    } catch (error) {
      problems.push(`targets.${role}.${field}: cannot read ${ref.file}: ${(error as Error).message}`);
      return undefined;
    }
  };
  for (const role of roles) {
    const configured = config?.targets[role];
    const override = overrides.find((entry) => entry.role === role);
    const url = override ? override.url : configured === undefined ? 'simulator' : typeof configured === 'string' ? configured : configured.url;
    if (url === 'simulator') {
      targets.set(role, { role, kind: 'simulator' });
      continue;
    }
    if (url.startsWith('command:')) {
      targets.set(role, { role, kind: 'command', command: url.slice('command:'.length) });
      continue;
    }
    const details = typeof configured === 'object' ? configured : undefined;
    const credentials: Record<string, string> = {};
    // A challenge for a URL given only on the command line may come from MDMCA_<ROLE>_CHALLENGE.
    const challenge = (await read(role, 'challenge', details?.challenge)) ?? env[`MDMCA_${role.toUpperCase().replace(/-/g, '_')}_CHALLENGE`];
    if (challenge !== undefined) credentials.challenge = challenge;
    const password = await read(role, 'password', details?.password);
    if (password !== undefined) credentials.password = password;
    if (details?.username) credentials.username = details.username;
    if (details?.clientP12) credentials.clientP12 = resolve(baseDir, details.clientP12);
    const p12Password = await read(role, 'clientP12Password', details?.clientP12Password);
    if (p12Password !== undefined) credentials.clientP12Password = p12Password;
    if (details?.trustedCertificates) credentials.trustedCertificates = resolve(baseDir, details.trustedCertificates);
    targets.set(role, {
      role,
      kind: 'url',
      url,
      ...(details?.admin && !override ? { admin: details.admin } : {}),
      ...(Object.keys(credentials).length ? { credentials } : {}),
    });
  }
  if (problems.length) throw new ConfigError('configuration', problems);
  for (const role of overrides.map((entry) => entry.role)) {
    if (!roles.includes(role)) problems.push(`--target ${role}: no selected suite tests the role "${role}" (roles: ${roles.join(', ')})`);
  }
  if (problems.length) throw new ConfigError('command line', problems);
  return targets;
}
