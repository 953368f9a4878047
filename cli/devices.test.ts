/** `mdmca devices`: flags and usage errors, and a two-device run against the embedded engine with --json. */
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEmbeddedSimulators } from '../simulators/embedded.js';
import { UsageError } from './common.js';
import { devicesCommand, registerDevicesCommand } from './devices.js';

const flags = (overrides: Record<string, unknown> = {}) => ({ platform: 'mixed', count: '2', concurrency: '4', target: [], keySize: '1024', delivery: 'scep', ...overrides });

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('mdmca devices', () => {
  it('registers the command with its options', () => {
    const program = new Command('mdmca');
    registerDevicesCommand(program);
    const command = program.commands.find((c) => c.name() === 'devices')!;
    expect(command.options.map((o) => o.long)).toEqual(
      expect.arrayContaining(['--platform', '--count', '--concurrency', '--json', '--target', '--fresh-keys', '--key-cache', '--ber', '--delivery']),
    );
  });

  it.each([
    [{ count: undefined }, /--count is required/],
    [{ count: '0' }, /--count must be a positive integer/],
    [{ platform: 'windows' }, /--platform must be ios, android or mixed/],
    [{ concurrency: 'lots' }, /--concurrency must be a positive integer/],
    [{ keySize: '1000' }, /--key-size/],
    [{ delivery: 'email' }, /--delivery/],
    [{ target: ['ca=http://x'] }, /--target takes mdm=URL/],
    [{ target: ['mdm=ftp://x'] }, /http\(s\) URL/],
    [{ target: ['mdm=http://127.0.0.1:1/mdm'] }, /needs --user and --password/],
    [{ user: 'u', password: 'p' }, /go with --target/],
  ])('refuses %o', async (overrides, message) => {
    await expect(devicesCommand(flags(overrides) as never)).rejects.toThrow(UsageError);
    await expect(devicesCommand(flags(overrides) as never)).rejects.toThrow(message);
  });

  it('enrolls two devices through the embedded engine and prints one JSON object', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await devicesCommand(flags({ json: true }) as never);
    const result = JSON.parse(out.join(''));
    expect(result).toMatchObject({ count: 2, succeeded: 2, failed: 0, devices: { ios: 1, android: 1 } });
    expect(Object.keys(result.steps)).toEqual(expect.arrayContaining(['register', 'scep-enroll', 'status']));
    expect(process.exitCode).toBe(0);
  }, 60_000);

  it('enrolls against a running engine given as --target mdm=URL with --user and --password', async () => {
    const running = await startEmbeddedSimulators();
    try {
      const { url, credentials } = running.endpoint('mdm', 'mdm');
      const out: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      await devicesCommand(flags({ platform: 'android', count: '2', target: [`mdm=${url}`], user: credentials!.username, password: credentials!.password }) as never);
      const text = out.join('');
      expect(text).toMatch(new RegExp(`^2 devices \\(2 Android\\) against ${url.replace(/[.]/g, '\\.')}`));
      expect(text).toMatch(/enrolled 2, failed 0/);
      expect(process.exitCode).toBe(0);
    } finally {
      await running.close();
    }
  }, 60_000);
});
