/**
 * The embedded simulator's default account: public test fixtures (DESIGN.md), documented in README so anyone can
 * call it with curl. Shapes follow the guide (001) and the reference §6: CorporateID PAR…, API user
 * PAR…_<name>, profile MP + 12 digits, product EPKIPSPersonal.
 */

export const EPKI_DEFAULTS = {
  corporateId: 'PAR12345',
  username: 'PAR12345_mdmca',
  password: 'mdmca-epki-test',
  /** VALIDATED, SHA-256, base DN locked to O=mdmca Test Org, OU=Mobile users. */
  profileId: 'MP201604143456',
  /** Not yet vetted: missing from GetProfiles, refused by orders. */
  unvettedProfileId: 'MP201604149999',
  productCode: 'EPKIPSPersonal',
  years: 1,
  licenseNo: 'MPL201604140001',
  licenceCount: 1000,
  organization: 'mdmca Test Org',
  organizationUnit: 'Mobile users',
  locality: 'Portsmouth',
  stateOrProvince: 'NH',
  country: 'US',
  /** Loopback only: the simulator binds 127.0.0.1. */
  ipRanges: ['127.0.0.0/8', '::1/128'],
} as const;
