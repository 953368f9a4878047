/**
 * A fleet target that is already running somewhere (`--target mdm=URL`): its device API, and the accounts the
 * devices register with, from a user-name and password pattern where `{n}` is the device number (1-based),
 * e.g. `--user fleet{n} --password secret{n}`; without `{n}` every device registers as the same user.
 */
import type { FleetTarget } from './run.js';

export function urlTarget(url: string, account: { user: string; password: string }): FleetTarget {
  const fill = (pattern: string, index: number) => pattern.replaceAll('{n}', String(index + 1));
  return {
    mdmUrl: url,
    label: url,
    account: (index) => ({ username: fill(account.user, index), password: fill(account.password, index) }),
  };
}
