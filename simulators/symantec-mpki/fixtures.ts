/**
 * The embedded simulator's default MPKI 8.9 account: public test fixtures (DESIGN.md), cited by README and suites.
 * Shapes follow guide 000 (PKI Manager: seat pools User 1000 / Device 100 / Server 100 / Organization 100 in the
 * "Seat usage" view; profiles from the "MDM (Web Service Client)" template in Test or Production mode; the seat ID
 * "typically the user's email address") and vendor-apis.md §A (profile OIDs under 2.16.840.1.113733.1.16.1).
 */

export const SEAT_KINDS = ['User', 'Device', 'Server', 'Organization'] as const;
export type SeatKind = (typeof SEAT_KINDS)[number];

export const SYMANTEC_DEFAULTS = {
  /** ASSUMPTION: the account id shape (a number); the guide shows none. */
  accountId: '8900012345',
  accountName: 'mdmca Test Org',
  /** Subject O of issued certificates. */
  organization: 'mdmca Test Org',
  template: 'MDM (Web Service Client)',
  profiles: {
    /** Production, User seats, seat ID mail_email; the guide's profile. OID from vendor-apis.md §A.3. */
    user: '2.16.840.1.113733.1.16.1.2.3.1.1.47196109',
    /** Production, Device seats, seat ID seat_id. */
    device: '2.16.840.1.113733.1.16.1.2.3.1.1.47196110',
    /** Test mode ("Issue Test Certificate"): issued certificates carry OU=Test Certificate. */
    test: '2.16.840.1.113733.1.16.1.2.3.1.1.47196111',
    /** Approval required: enrollment answers pendingTokenReferenceID until an administrator approves. */
    approval: '2.16.840.1.113733.1.16.1.2.3.1.1.47196112',
    /** Exists but is not enabled for web services enrollment. */
    noWebServices: '2.16.840.1.113733.1.16.1.2.3.1.1.47196113',
  },
  profileNames: {
    user: 'Mobile from MDM',
    device: 'Mobile devices from MDM',
    test: 'Mobile from MDM (Test)',
    approval: 'Mobile from MDM (approval)',
    noWebServices: 'Mobile from MDM (portal only)',
  },
  /** The seat ID attribute of the User profiles ("typically the user's email address", guide 000). */
  seatAttribute: 'mail_email',
  /** The Device profile's seat ID attribute. */
  deviceSeatAttribute: 'seat_id',
  /** The guide's Seat usage screenshot (Total purchased). */
  seatPools: { User: 1000, Device: 100, Server: 100, Organization: 100 } satisfies Record<SeatKind, number>,
  /** The test PKI's 'symantec-ra' identity (fixtures/test-pki-spec.ts). */
  raCommonName: 'Registration Authority 1234567890123',
  keySizes: [2048] as number[],
  validityDays: 365,
  renewalDays: 30,
  /** ASSUMPTION: bad SCEP passcode attempts before the passcode locks (412). */
  maxPasscodeAttempts: 5,
  /** ASSUMPTION: lifetime of a passcode made without expiryDateTime. */
  passcodeValidityDays: 7,
  /** ASSUMPTION: OU added to certificates of a Test-mode profile. */
  testModeOu: 'Test Certificate',
  /** Enrollment version clients send (§A.3). */
  version: '2.0',
} as const;
