/**
 * "Our MobileIron Cloud connector against any GlobalSign GasOrderService": the `globalsign-epki` role at the
 * mdm-ca boundary. The target is a URL with credentials {username, password} (optional profileId, productCode,
 * years); with an admin URL (the embedded simulator) the account-steering scenarios run too.
 */
import type { SuiteDefinition } from '../model.js';
import { epkiChecks } from './checks.js';
import { EpkiSuiteContext } from './context.js';

export { EpkiSuiteContext } from './context.js';
export { epkiChecks } from './checks.js';

export const globalSignSuite: SuiteDefinition<EpkiSuiteContext> = {
  id: 'globalsign-epki',
  title: 'GlobalSign EPKI GasOrderService: the MobileIron Cloud connector against the CA',
  boundary: 'mdm-ca',
  role: 'globalsign-epki',
  async setup(target, env) {
    const ctx = EpkiSuiteContext.fromTarget(target, env);
    await ctx.profileId();
    return ctx;
  },
  checks: epkiChecks,
};
