/**
 * Properties of substitution, for all three dialects (fast-check, fixed seed):
 *  - no placeholder is ever left silently: a substituted template holds no placeholder text of its dialect,
 *    or substitution throws, and every malformed or unknown placeholder is among the reported problems;
 *  - unknown variables are reported by name, in order;
 *  - DN escaping round-trips through DistinguishedName (RFC 4514 and the OpenSSL slash form);
 *  - a template without placeholders comes back unchanged (substitution is idempotent on it), so literal
 *    "$", "{", "}" and "%" that start no placeholder survive.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Device, Platform, User } from '../directory/model.js';
import { DistinguishedName } from '../pki/names.js';
import { TemplateError } from './errors.js';
import type { Dialect, Product } from './model.js';
import { substitute } from './substitute.js';
import { placeholder, tokenize } from './syntax.js';
import { TABLES } from './tables/index.js';

const SEED = 4242;
const PRODUCTS: Record<Dialect, Product> = { mobileiron: 'mobileiron-cloud', 'workspace-one': 'workspace-one', maas360: 'maas360' };
const DIALECTS = Object.keys(PRODUCTS) as Dialect[];

// Every value starts with a digit and holds none of "$ { } %": a value can then never complete a placeholder
// with the literal text around it, so placeholder text in the output can only be template text left behind.
const user: User = {
  id: '1user@2realm',
  source: 'ldap',
  firstName: '1first',
  lastName: '1last',
  displayName: '1display name',
  email: '1mail@2example.com',
  upn: '1upn@2corp.example.com',
  phone: '+16175550100',
  locale: '1en',
  domain: '1CORP',
  ldap: { dn: '2.5.4.3=1cn,OU=1ou,DC=1corp,DC=2example', cn: '1cn', sAMAccountName: '1sam', realm: '1CORP.EXAMPLE', attributes: { department: '1dept' } },
};
const device: Device = {
  id: '1device-id',
  userId: user.id,
  platform: '9ios' as Platform,
  ownership: 'company',
  status: 'active',
  udid: '1udid',
  serialNumber: '1serial',
  imei: '490154203237518',
  iccid: '8901260882310000000',
  phone: { countryCode: '1', number: '6175550101' },
  model: '1model',
  name: '1name',
  osVersion: '17.4',
  wifiMac: '0a:bb:cc:dd:ee:ff',
};

const UNKNOWN = ['zzUnknown', 'Nope', 'q1', 'undefinedVar'];

/** Template pieces: known and unknown placeholders, and literal text rich in the dialects' special characters. */
function templateArbitrary(dialect: Dialect) {
  const known = TABLES[dialect].variables.map((v) => placeholder(v.name, dialect));
  return fc
    .array(
      fc.oneof(
        fc.constantFrom(...known),
        fc.constantFrom(...UNKNOWN.map((n) => placeholder(n, dialect))),
        // Near misses: a placeholder cut short, or an opener before a space.
        fc.constantFrom(...known.map((k) => k.slice(0, -1)), `${placeholder('x', dialect).slice(0, -2)} `),
        fc.string({ unit: fc.constantFrom('$', '{', '}', '%', 'a', 'Z', '1', '_', '.', '-', ' ', ',', '=', '"'), maxLength: 6 }),
        fc.string({ maxLength: 4 }),
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join(''));
}

function run(template: string, dialect: Dialect, target: 'text' | 'dn' = 'text'): { value?: string; error?: TemplateError } {
  try {
    return { value: substitute(template, { product: PRODUCTS[dialect], user, device, target }).value };
  } catch (e) {
    if (e instanceof TemplateError) return { error: e };
    throw e;
  }
}

describe.each(DIALECTS)('%s', (dialect) => {
  it('leaves no placeholder silently: the output has none, or every bad one is reported', () => {
    fc.assert(
      fc.property(templateArbitrary(dialect), (template) => {
        const segments = tokenize(template, dialect);
        const { value, error } = run(template, dialect);
        if (value !== undefined) {
          expect(tokenize(value, dialect).every((s) => s.kind === 'literal')).toBe(true);
          expect(segments.every((s) => s.kind !== 'malformed')).toBe(true);
        } else {
          const reported = new Set(error!.problems.map((p) => p.offset));
          for (const s of segments) {
            if (s.kind === 'malformed' || (s.kind === 'placeholder' && UNKNOWN.includes(s.name))) expect(reported.has(s.offset)).toBe(true);
          }
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('reports unknown variables by name, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...UNKNOWN, TABLES[dialect].variables[0]!.name), { minLength: 1, maxLength: 6 }), (names) => {
        const template = names.map((n) => `x ${placeholder(n, dialect)}`).join(' ');
        const { error } = run(template, dialect);
        const unknown = names.filter((n) => UNKNOWN.includes(n));
        if (unknown.length === 0) return;
        expect(error!.problems.filter((p) => p.code === 'unknown_variable').map((p) => p.variable)).toEqual(unknown);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('returns a template without placeholders unchanged, twice over', () => {
    const literal = fc
      .string({ unit: fc.oneof(fc.constantFrom('$', '{', '}', '%', ' ', '1', 'a', '=', ','), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })), maxLength: 16 })
      .filter((t) => tokenize(t, dialect).every((s) => s.kind === 'literal'));
    fc.assert(
      fc.property(literal, (template) => {
        const once = run(template, dialect).value;
        expect(once).toBe(template);
        expect(run(once!, dialect).value).toBe(template);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});

describe('DN escaping', () => {
  const value = fc
    .oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 12 }),
      fc.string({ unit: fc.constantFrom(' ', '#', ',', '+', '"', '\\', '<', '>', ';', '=', '/', '\u0000', 'é', '𝄞'), minLength: 1, maxLength: 8 }),
    );

  it('round-trips any value through an RFC 4514 subject', () => {
    fc.assert(
      fc.property(value, (v) => {
        const u: User = { ...user, displayName: v, lastName: v };
        const ctx = { product: 'mobileiron-cloud' as const, target: 'dn' as const, user: u };
        const dn = DistinguishedName.parse(substitute('CN=${userDisplayName},O=Example Corp', ctx).value);
        expect([dn.get('CN'), dn.get('O')]).toEqual([v, 'Example Corp']);
        expect(DistinguishedName.parse(substitute('CN=Dr. ${userLastName} (x)', ctx).value).get('CN')).toBe(`Dr. ${v} (x)`);
        // Text targets (SAN, e-mail) take the value as it is.
        expect(substitute('${userDisplayName}', { ...ctx, target: 'text' }).value).toBe(v);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('round-trips any value through an OpenSSL slash-form subject', () => {
    fc.assert(
      fc.property(value, (v) => {
        const u: User = { ...user, id: v };
        const out = substitute('/C=US/CN=%uname%/O=Example', { product: 'maas360', target: 'dn', user: u }).value;
        const dn = DistinguishedName.parseOpenSsl(out);
        expect([dn.get('C'), dn.get('CN'), dn.get('O')]).toEqual(['US', v, 'Example']);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('refuses a value with an unpaired surrogate in a DN', () => {
    const u: User = { ...user, displayName: 'a\uD800b' };
    expect(() => substitute('CN=${userDisplayName}', { product: 'mobileiron-cloud', target: 'dn', user: u })).toThrow(
      expect.objectContaining({ code: 'invalid_value' }),
    );
  });
});
