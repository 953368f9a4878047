/** `mdmca bench` flags: what they become, and the usage errors (exit 2) they raise. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { type BenchFlags, parseBenchFlags, registerBenchCommand } from './bench.js';
import { UsageError } from './common.js';

const defaults: BenchFlags = {
  scenario: 'scep-pkcsreq',
  connections: '32',
  warmup: '2',
  server: 'embedded',
  store: 'sqlite',
  boundSeconds: '3',
  clientKeys: '32',
  out: 'reports/out',
};

describe('mdmca bench flags', () => {
  it('registers the command with its options and defaults', () => {
    const program = new Command('mdmca');
    registerBenchCommand(program);
    const bench = program.commands.find((command) => command.name() === 'bench');
    expect(bench).toBeDefined();
    const flags = bench!.options.map((option) => option.long);
    for (const flag of ['--target', '--scenario', '--connections', '--duration', '--requests', '--warmup', '--challenge', '--peer', '--workers', '--json']) {
      expect(flags).toContain(flag);
    }
    expect(bench!.opts()).toMatchObject({ scenario: 'scep-pkcsreq', connections: '32', warmup: '2', out: 'reports/out' });
  });

  it('turns flags into run options', () => {
    expect(parseBenchFlags({ ...defaults, duration: '5', peer: true, workers: '2', signing: 'inline', challenge: 'x' })).toMatchObject({
      scenario: 'scep-pkcsreq',
      connections: 32,
      durationSeconds: 5,
      warmupSeconds: 2,
      peer: true,
      workers: 2,
      signing: 'inline',
      challenge: 'x',
      boundSeconds: 3,
    });
    expect(parseBenchFlags({ ...defaults, requests: '1000', warmup: '0' })).toMatchObject({ requests: 1000, warmupSeconds: 0 });
    expect(parseBenchFlags({ ...defaults, target: 'https://ca.example/scep?operation=GetCACaps' }).target).toBe('https://ca.example/scep');
  });

  it('refuses contradictory or malformed flags with a usage error', () => {
    const refuses = (flags: Partial<BenchFlags>) => expect(() => parseBenchFlags({ ...defaults, ...flags })).toThrow(UsageError);
    refuses({ duration: '5', requests: '100' });
    refuses({ connections: '0' });
    refuses({ connections: 'many' });
    refuses({ duration: '0' });
    refuses({ warmup: '-1' });
    refuses({ target: 'not a url' });
    refuses({ target: 'ftp://ca.example/scep' });
    refuses({ target: 'http://ca.example/scep', workers: '2' });
  });

  it('takes the vendor scenarios against our simulators only: --peer, --target and --server bare are usage errors', () => {
    for (const scenario of ['globalsign-order', 'symantec-rst']) {
      expect(parseBenchFlags({ ...defaults, scenario }).scenario).toBe(scenario);
      const refuses = (flags: Partial<BenchFlags>) => expect(() => parseBenchFlags({ ...defaults, scenario, ...flags })).toThrow(UsageError);
      refuses({ peer: true });
      refuses({ target: 'http://ca.example/cr/ws/GasOrderService' });
      refuses({ server: 'bare' });
    }
  });
});
