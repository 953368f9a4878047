/**
 * Failure scenarios as data (DESIGN.md, "Failure scenarios are data"): each known misconfiguration of an MDM <-> CA
 * integration, with the guide that documents it, how to set it up, the exact error the user sees, and the guide's
 * fix. `mdmca doctor` explains a configuration with them before anything is sent (doctor.ts holds one detector per
 * config-visible scenario); the suites reproduce them at run time and check the text; reports link a failure to
 * its fix. `error.assumption` is true when the guides do not give the exact text.
 */

export interface GuideReference {
  /** File under ../shared/seeds/. */
  file: string;
  title: string;
  section: string;
}

export interface FailureScenario {
  id: string;
  vendor: string;
  product: string;
  guide: GuideReference;
  severity: 'error' | 'warning';
  /** 'config': visible in an integration configuration; 'runtime': only when something is sent. */
  detection: 'config' | 'runtime';
  setup: { description: string; /** YAML fragment of an integration configuration that has the problem. */ config: string };
  error: { text: string; where: string; assumption: boolean };
  fix: string;
}

const GUIDE_000: Omit<GuideReference, 'section'> = { file: '000_8ddee95b60c64c39.txt', title: 'Symantec Managed PKI Integration Guide for MobileIron VSP' };
const GUIDE_001: Omit<GuideReference, 'section'> = { file: '001_5a2535cce1dd53e9.txt', title: 'GlobalSign Integration Guide: GlobalSign EPKI and MobileIron Cloud' };
const GUIDE_004: Omit<GuideReference, 'section'> = { file: '004_2c627540eeac2851.txt', title: 'Workspace ONE UEM Integration with OpenTrust CMS Mobile 2' };

import { SYMANTEC_SERVER_HOST_ONLY } from '../connectors/texts.js';
import { SYMANTEC_SCENARIOS } from './failure-scenarios-symantec.js';

export const NO_ENDPOINT_EXAMPLE_URL = 'https://ptr-pki-ws.bbtest.net/policyService';

export const FAILURE_SCENARIOS = [
  {
    id: 'mobileiron-usercn-without-ldap',
    vendor: 'MobileIron',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Troubleshooting: Installation Error: Variable substitution failed for {UserCN}; Configure an Identity Certificate, step 11a' },
    severity: 'error',
    detection: 'config',
    setup: {
      description: 'An identity certificate keeps the default subject ${userCN} while users are local (no LDAP).',
      config: 'product: mobileiron-cloud\ndirectory: { ldap: false }\nconfigurations:\n  - name: Wi-Fi identity\n    subject: CN=${userCN}',
    },
    error: { text: 'Installation Error: Variable substitution failed for {UserCN}', where: 'the device installation status and the certificate logs', assumption: false },
    fix: 'The variable {UserCN} can only be used with LDAP integrations: change the subject to another variable, e.g. ${userDisplayName} (guide 001).',
  },
  {
    id: 'symantec-server-not-host-name',
    vendor: 'Symantec',
    product: 'MobileIron VSP',
    guide: { ...GUIDE_000, section: 'Adding the SCEP Profile, Table 2-1 Manage SCEP Settings: Server' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'The Server field of a Symantec Web Services Managed PKI setting has https:// or a path.', config: 'certificateAuthorities:\n  - type: symantec-mpki\n    server: https://pki-ws.symauth.com/pki-ws' },
    // The guide's own note beside the field; that the console shows it as the error is our connector's choice.
    error: { text: SYMANTEC_SERVER_HOST_ONLY, where: 'Test Connection and every request of the SCEP setting, before anything is sent', assumption: true },
    fix: 'Only the host name of the Symantec CA server should be provided (default pki-ws.symauth.com). Do not add https:// before the server name, and do not add path information after the server name (guide 000).',
  },
  {
    id: 'issue-test-certificate-left-on',
    vendor: 'MobileIron',
    product: 'MobileIron VSP',
    guide: { ...GUIDE_000, section: 'Adding the SCEP Profile, Table 2-1 Manage SCEP Settings: Issue Test Certificate' },
    severity: 'warning',
    detection: 'config',
    setup: { description: 'Issue Test Certificate stays selected after the initial test.', config: 'configurations:\n  - name: Symantec identity\n    issueTestCertificate: true' },
    error: { text: 'Some certificate authorities charge for each certificate.', where: 'the CA invoice: a test certificate is issued on every save', assumption: false },
    fix: 'To avoid incurring additional charges, clear the Issue Test Certificate check box after initial testing (guide 000).',
  },
  {
    id: 'distribution-none',
    vendor: 'MobileIron',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Distribution Setting' },
    severity: 'warning',
    detection: 'config',
    setup: { description: 'The configuration is distributed to No Devices.', config: 'configurations:\n  - name: Wi-Fi identity\n    distribution: { mode: none }' },
    error: { text: 'No Devices: Stage this configuration for later distribution', where: 'no device receives the configuration, so no certificate is deployed', assumption: false },
    fix: 'Choose All Devices, or Custom with the device groups (or labels) that should receive it (guide 001, Distribution Setting).',
  },
  {
    id: 'distribution-custom-empty',
    vendor: 'MobileIron',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Distribution Setting' },
    severity: 'warning',
    detection: 'config',
    setup: { description: 'A Custom distribution names no device group and no label.', config: 'configurations:\n  - name: Wi-Fi identity\n    distribution: { mode: custom }' },
    error: { text: 'Custom: Define specific Device Groups that will have this configuration sent to them', where: 'no group or label is defined, so no device receives the configuration', assumption: false },
    fix: 'Add the device groups (guide 001) or apply a label to the setting and to the devices (guide 000, Applying Label).',
  },
  {
    id: 'distribution-unknown-group',
    vendor: 'MobileIron',
    product: 'MobileIron VSP / Cloud',
    guide: { ...GUIDE_000, section: 'Applying App Settings to Labels' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'A Custom distribution names a group or label the directory does not have.', config: 'directory: { labels: [iOS] }\nconfigurations:\n  - distribution: { mode: custom, labels: [Android] }' },
    error: { text: 'no group or label of that name', where: 'the configuration reaches no device through that name', assumption: true },
    fix: 'Create the label first (USERS & DEVICES > Labels > Add New), then apply it to the setting and to the devices (guide 000).',
  },
  {
    id: 'opentrust-server-url',
    vendor: 'OpenTrust',
    product: 'Workspace ONE UEM',
    guide: { ...GUIDE_004, section: 'Step 5: Configure OpenTrust in Workspace ONE UEM, items 5 and 11' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'The Server URL is not the CMS JSON connector URL https://FQDN/connector/mdm.cgi.', config: `certificateAuthorities:\n  - type: opentrust-cms\n    serverUrl: ${NO_ENDPOINT_EXAMPLE_URL}` },
    error: {
      text: `Connection Failed: There was no endpoint listening at ${NO_ENDPOINT_EXAMPLE_URL} that could accept the message. This is often caused by an incorrect address or SOAP action. See InnerException, if present, for more details.`,
      where: 'Test Connection in the Certificate Authority page',
      assumption: false,
    },
    fix: 'Enter the URL of your OpenTrust CMS instance; its general form is https://FQDN/connector/mdm.cgi (guide 004, Step 5).',
  },
  {
    id: 'scep-url-unreachable',
    vendor: 'any SCEP CA',
    product: 'Workspace ONE UEM (text); every MDM',
    guide: { ...GUIDE_004, section: 'Step 5: Configure OpenTrust in Workspace ONE UEM, item 11 (Test Connection)' },
    severity: 'error',
    detection: 'runtime',
    setup: { description: 'The SCEP URL of a CA configuration points where nothing listens (run `mdmca doctor --probe`).', config: 'certificateAuthorities:\n  - type: scep\n    url: http://127.0.0.1:9/scep' },
    error: {
      text: 'Connection Failed: There was no endpoint listening at <url> that could accept the message. This is often caused by an incorrect address or SOAP action. See InnerException, if present, for more details.',
      where: 'Test Connection',
      assumption: false,
    },
    fix: 'The error could be the result of a certificate not being installed on the server or the URL not being correct: check the URL (guide 004, Step 5).',
  },
  {
    id: 'globalsign-service-url',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Adding GlobalSign as a Certificate Authority, step 7' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'The Enter URL field is not the GlobalSign order service.', config: 'certificateAuthorities:\n  - type: globalsign-epki\n    url: https://system.globalsign.com/' },
    error: { text: 'There was no endpoint listening at the GlobalSign URL', where: 'every certificate request', assumption: true },
    fix: 'In the Enter URL field, add https://system.globalsign.com/cr/ws/GasOrderService (guide 001, step 7).',
  },
  {
    id: 'globalsign-user-id',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'GlobalSign EPKI Account Steps: Login Credentials' },
    severity: 'warning',
    detection: 'config',
    setup: { description: 'The username is not CorporateID_username.', config: 'certificateAuthorities:\n  - type: globalsign-epki\n    username: admin' },
    error: { text: 'authentication failed at GlobalSign', where: 'every certificate request', assumption: true },
    fix: 'Your UserID is a combination of the CorporateID that GlobalSign assigns you and the username you specified during account signup (e.g. PAR12345_UserID) (guide 001).',
  },
  {
    id: 'globalsign-licence-mismatch',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Troubleshooting: Installation Error: EPKI License Expiration Error; Configure an Identity Certificate, steps 9-10' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'The Product Code is not EPKIPSPersonal, or the Certificate Expiration is not 1, 2 or 3 years.', config: 'configurations:\n  - caParams: { productCode: EPKIPSPro }\n    validityDays: 400' },
    error: { text: 'Installation Error: EPKI License Expiration Error', where: 'the device installation status', assumption: true },
    fix: 'Select the Product Code EPKIPSPersonal and the Certificate Expiration of the licence pack you purchased; if the licence expired, order additional certificate licence packs (guide 001).',
  },
  {
    id: 'globalsign-profile-id',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Troubleshooting: Profile ID not displayed in Configuration dropdown' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'No EPKI profile ID (MP followed by digits) is selected.', config: 'configurations:\n  - caParams: { profileId: "" }' },
    error: { text: 'Profile ID not displayed in Configuration dropdown', where: 'the Identity Certificate configuration page', assumption: false },
    fix: 'An EPKI Profile must first be pre-vetted by GlobalSign before it will appear; select the validated profile ID (e.g. MP201604143456) (guide 001).',
  },
  {
    id: 'symantec-mobile-profile-oid',
    vendor: 'Symantec',
    product: 'MobileIron VSP',
    guide: { ...GUIDE_000, section: 'Table 2-1 Manage SCEP Settings: Mobile Profiles' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'No MDM (Web Service Client) profile OID is selected.', config: 'configurations:\n  - caParams: { profileOid: Mobile from MDM }' },
    error: { text: 'Please select profile', where: 'the SCEP setting cannot be saved', assumption: true },
    fix: 'Select the MDM (Web Services Client) profile: only its object ID (OID), a series of numbers, is listed; verify the OID in Symantec PKI Manager (guide 000).',
  },
  {
    id: 'symantec-seat-id',
    vendor: 'Symantec',
    product: 'MobileIron VSP',
    guide: { ...GUIDE_000, section: 'Table 2-1 Manage SCEP Settings: Required Fields; Task 2 step 8 (seat ID)' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'The Required Field seatId is not mapped to a variable.', config: 'configurations:\n  - fields: {}' },
    error: { text: 'the seat ID, a mandatory attribute, is missing from the certificate request', where: 'every certificate request', assumption: true },
    fix: 'The SeatID value in the SCEP settings must map to the value you created for the SeatID in the Symantec PKI Manager, typically the user\'s email address (guide 000).',
  },
  {
    id: 'opentrust-lookup-value',
    vendor: 'OpenTrust',
    product: 'Workspace ONE UEM',
    guide: { ...GUIDE_004, section: 'Step 6: Set Up Certificate Template for OpenTrust CA Type, item 6' },
    severity: 'warning',
    detection: 'config',
    setup: { description: 'The mail field of the request template is not the {EmailAddress} lookup value.', config: 'configurations:\n  - fields: { mail: "{UserPrincipalName}" }' },
    error: { text: 'OpenTrust will create a new user', where: 'OpenTrust CMS Mobile', assumption: false },
    fix: 'Make sure the lookup values match those used in the OpenTrust Portal: if your mail in OpenTrust is email address, use the {EmailAddress} lookup value for mail (guide 004).',
  },
  {
    id: 'template-invalid',
    vendor: 'any MDM',
    product: 'MobileIron, Workspace ONE, MaaS360',
    guide: { ...GUIDE_001, section: 'Configure an Identity Certificate, step 11' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'A template uses a variable the product does not have, or a malformed placeholder.', config: 'configurations:\n  - subject: CN=${userDisplayname}' },
    error: { text: 'Variable substitution failed', where: 'the device installation status', assumption: true },
    fix: 'Use the product\'s variable names, in its dialect (MobileIron ${var}, Workspace ONE {Var}, MaaS360 %var%).',
  },
  {
    id: 'direct-scep-needs-scep-ca',
    vendor: 'any MDM',
    product: 'MobileIron VSP',
    guide: { ...GUIDE_000, section: 'Table 2-1 Manage SCEP Settings: Enable Proxy' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'Enable Proxy is off and keys are made on the device, but the CA has no SCEP URL devices can reach.', config: 'configurations:\n  - enableProxy: false\n    cacheLocallyGeneratedKeys: false' },
    error: { text: 'the device cannot enrol: the CA offers no SCEP endpoint', where: 'the device', assumption: true },
    fix: 'Select Enable Proxy (the MDM requests the certificate from the CA), or Cache locally generated keys (guide 000).',
  },
  {
    id: 'unknown-ca',
    vendor: 'any MDM',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Configure an Identity Certificate, step 7 (Source)' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'The Source of an identity certificate names no CA configuration.', config: 'configurations:\n  - ca: GlobalSign' },
    error: { text: 'no such certificate authority', where: 'the configuration cannot be saved', assumption: true },
    fix: 'Select the CA Name defined in "Adding GlobalSign as a Certificate Authority" (guide 001).',
  },
  {
    id: 'auto-renewal-period',
    vendor: 'VMware',
    product: 'Workspace ONE UEM',
    guide: { ...GUIDE_004, section: 'Step 6: Set Up Certificate Template, item 5 (Auto Renewal Period)' },
    severity: 'error',
    detection: 'config',
    setup: { description: 'The Auto Renewal Period is not shorter than the certificate validity.', config: 'configurations:\n  - validityDays: 30\n    autoRenewal: { daysBeforeExpiry: 30 }' },
    error: { text: 'the certificate is renewed as soon as it is issued', where: 'every renewal run', assumption: true },
    fix: 'Enter in the Auto Renewal Period (days) field the number of days prior to expiration, fewer than the validity (guide 004).',
  },
  // GlobalSign EPKI at run time (issue 4): reproduced by suites/globalsign-epki against the simulator's admin surface.
  {
    id: 'globalsign-licence-expired',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Troubleshooting: Installation Error: EPKI License Expiration Error' },
    severity: 'error',
    detection: 'runtime',
    setup: { description: 'The licence pack matching the ProductCode and Year has expired (simulator: POST /__mdmca/globalsign-epki/licences/<no>/expire).', config: 'configurations:\n  - caParams: { profileId: MP201604143456, productCode: EPKIPSPersonal }\n    validityDays: 365' },
    error: { text: 'Installation Error: EPKI License Expiration Error', where: 'the device installation status and the certificate logs (GasOrderService: SuccessCode -1, ErrorCode -6101, unconfirmed)', assumption: false },
    fix: 'Login to your EPKI account, and order additional certificate licence packs (guide 001).',
  },
  {
    id: 'globalsign-licence-exhausted',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Troubleshooting: Installation Error: EPKI License Expiration Error; Ordering EPKI Certificate License Pack(s)' },
    severity: 'error',
    detection: 'runtime',
    setup: { description: 'Every licence of the matching pack is used (simulator: POST /__mdmca/globalsign-epki/licences/<no>/exhaust).', config: 'configurations:\n  - caParams: { profileId: MP201604143456, productCode: EPKIPSPersonal }' },
    error: { text: 'Installation Error: EPKI License Expiration Error', where: 'the device installation status and the certificate logs (ErrorCode -6101, unconfirmed)', assumption: true },
    fix: 'Order additional certificate licence packs, appropriate for the number of users/devices you manage (guide 001).',
  },
  {
    id: 'globalsign-product-code-no-pack',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Troubleshooting: Installation Error: EPKI License Expiration Error; Configure an Identity Certificate, step 9' },
    severity: 'error',
    detection: 'runtime',
    setup: { description: 'The Product Code matches no licence pack of the account.', config: 'configurations:\n  - caParams: { profileId: MP201604143456, productCode: EPKIPSPro }' },
    error: { text: 'Installation Error: EPKI License Expiration Error', where: 'the device installation status (ErrorCode -9901, ErrorField ProductCode)', assumption: false },
    fix: 'This error will also occur if the ProductCode does not match your certificate licence pack: select the Product Code EPKIPSPersonal (guide 001).',
  },
  {
    id: 'globalsign-years-no-pack',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Troubleshooting: Installation Error: EPKI License Expiration Error; Configure an Identity Certificate, step 10' },
    severity: 'error',
    detection: 'runtime',
    setup: { description: 'The Certificate Expiration (years) is not the validity of any licence pack (the default pack is 1 year).', config: 'configurations:\n  - caParams: { profileId: MP201604143456, productCode: EPKIPSPersonal }\n    validityDays: 730' },
    error: { text: 'Installation Error: EPKI License Expiration Error', where: 'the device installation status (ErrorCode -6101, ErrorField Year, unconfirmed)', assumption: false },
    fix: 'Select the Certificate Expiration (1, 2 or 3 years) associated with the EPKI license pack you purchased (guide 001, step 10).',
  },
  {
    id: 'globalsign-profile-not-vetted',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Troubleshooting: Profile ID not displayed in Configuration dropdown' },
    severity: 'error',
    detection: 'runtime',
    setup: { description: 'The EPKI profile is not yet vetted (simulator: POST /__mdmca/globalsign-epki/profiles/<id>/unvet): GetProfiles lists it with a state other than VALIDATED.', config: 'configurations:\n  - caParams: { profileId: MP201604149999 }' },
    error: { text: 'Profile ID not displayed in Configuration dropdown', where: 'the Identity Certificate configuration page; an order against it is refused (ErrorCode -9450, unconfirmed)', assumption: false },
    fix: 'An EPKI Profile must first be pre-vetted by GlobalSign before it will appear in the MobileIron Cloud Portal; the Profile Order Status will read as Validated once vetting is complete (guide 001).',
  },
  {
    id: 'globalsign-ip-not-allowed',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'EPKI Profile Configuration, step 2 (API IP Address Range)' },
    severity: 'error',
    detection: 'runtime',
    setup: { description: 'The MDM server calls from an address outside the API IP Address Range (simulator: PATCH /__mdmca/globalsign-epki/accounts/<id> {ipRanges}).', config: 'certificateAuthorities:\n  - type: globalsign-epki\n    url: https://system.globalsign.com/cr/ws/GasOrderService' },
    error: { text: "Installation Error: Your IP address is not in the range allowed for API use. Please contact GlobalSign support to add it.", where: 'Test Connection and every certificate request (ErrorCode -4201)', assumption: true },
    fix: 'In the API IP Address Range field, enter the IP address (range) of the server hosting your MobileIron Cloud (guide 001, EPKI Profile Configuration).',
  },
  {
    id: 'globalsign-login-failure',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'GlobalSign EPKI Account Steps: Login Credentials; Adding GlobalSign as a Certificate Authority, step 8' },
    severity: 'error',
    detection: 'runtime',
    setup: { description: 'The GlobalSign User ID or password is wrong.', config: 'certificateAuthorities:\n  - type: globalsign-epki\n    username: PAR12345_mdmca\n    password: wrong' },
    error: { text: 'Installation Error: GlobalSign login failure: Login failure. The user ID or password is incorrect.', where: 'Test Connection and every certificate request (ErrorCode -4001)', assumption: true },
    fix: 'Enter your GlobalSign Username - User ID (e.g. PAR12345_UserID) - and Password (guide 001, step 8).',
  },
  {
    id: 'globalsign-ou-locked-base-dn',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Establish an EPKI Profile (lock base DN, Lock a unique OU)' },
    severity: 'error',
    detection: 'runtime',
    setup: { description: 'The subject asks for an OU outside the profile\'s locked base DN.', config: 'configurations:\n  - subject: CN=${userCN},OU=Elsewhere' },
    error: { text: 'Installation Error: The Organization Unit is not allowed: the profile locks its base DN.', where: 'the device installation status (ErrorCode -101, ErrorField OrganizationUnit, unconfirmed)', assumption: true },
    fix: 'GlobalSign recommends the "lock base DN" feature to reserve an Organization and OU combination: use the OU of the profile in the subject (guide 001).',
  },
  {
    id: 'globalsign-revoke-then-reissue',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Setup Overview (certificate lifecycle); GasOrderService Reissue' },
    severity: 'warning',
    detection: 'runtime',
    setup: { description: 'A certificate is revoked (Revoke) and then reissued (Reissue with its OrderID as TargetOrderID).', config: 'configurations:\n  - caParams: { profileId: MP201604143456, productCode: EPKIPSPersonal }' },
    error: { text: 'GlobalSign error -4008 (TargetOrderID): The target certificate has expired or is inaccessible (revoked or cancelled).', where: 'the Reissue answer', assumption: true },
    fix: 'A revoked certificate cannot be reissued: order a new certificate (OrderAndIssueCertificate), which uses a licence.',
  },
  {
    id: 'globalsign-sha1-profile',
    vendor: 'GlobalSign',
    product: 'MobileIron Cloud',
    guide: { ...GUIDE_001, section: 'Establish an EPKI Profile: Hash Algorithm (SHA-256 Recommended, SHA-1)' },
    severity: 'error',
    detection: 'runtime',
    setup: { description: 'The profile was set up with the Hash Algorithm SHA-1 (simulator: PATCH /__mdmca/globalsign-epki/profiles/<id> {hash: "SHA-1"}).', config: 'configurations:\n  - caParams: { profileId: MP201604143456 }' },
    error: { text: 'Installation Error: SHA-1 is no longer issued: the profile must use SHA-256.', where: 'the device installation status (ErrorCode -101, ErrorField HashType, unconfirmed)', assumption: true },
    fix: 'Select SHA-256 (Recommended) as the Hash Algorithm of the profile (guide 001, Certificate Profile Details).',
  },
  // Symantec MPKI at run time (issue 5): failure-scenarios-symantec.ts.
  ...SYMANTEC_SCENARIOS,
] as const satisfies readonly FailureScenario[];

export type FailureScenarioId = (typeof FAILURE_SCENARIOS)[number]['id'];

export function scenario(id: FailureScenarioId): FailureScenario {
  return FAILURE_SCENARIOS.find((s) => s.id === id)!;
}
