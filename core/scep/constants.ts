/**
 * The numbers of RFC 8894: the OIDs of the SCEP signed attributes and the values they carry
 * (all sent as PrintableString decimal text, §3.2.1).
 */

export const SCEP_OID = {
  messageType: '2.16.840.1.113733.1.9.2',
  pkiStatus: '2.16.840.1.113733.1.9.3',
  failInfo: '2.16.840.1.113733.1.9.4',
  senderNonce: '2.16.840.1.113733.1.9.5',
  recipientNonce: '2.16.840.1.113733.1.9.6',
  transactionID: '2.16.840.1.113733.1.9.7',
  /** id-pkix 24 1 (RFC 8894 §3.2.1.4.1), UTF8String. */
  failInfoText: '1.3.6.1.5.5.7.24.1',
} as const;

/** CMS and PKCS#9 OIDs the codec writes or checks. */
export const CMS_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  pSpecified: '1.2.840.113549.1.1.9',
} as const;

export enum MessageType {
  CertRep = 3,
  RenewalReq = 17,
  PKCSReq = 19,
  /** GetCertInitial in drafts before RFC 8894. */
  CertPoll = 20,
  GetCert = 21,
  GetCRL = 22,
}

export enum PkiStatus {
  SUCCESS = 0,
  FAILURE = 2,
  PENDING = 3,
}

export enum FailInfo {
  badAlg = 0,
  badMessageCheck = 1,
  badRequest = 2,
  badTime = 3,
  badCertId = 4,
}

export type RequestMessageType = Exclude<MessageType, MessageType.CertRep>;

export const REQUEST_MESSAGE_TYPES: readonly RequestMessageType[] = [
  MessageType.RenewalReq,
  MessageType.PKCSReq,
  MessageType.CertPoll,
  MessageType.GetCert,
  MessageType.GetCRL,
];

export function messageTypeName(value: number): string {
  return MessageType[value] ?? `unknown(${value})`;
}

export function pkiStatusName(value: number): string {
  return PkiStatus[value] ?? `unknown(${value})`;
}

export function failInfoName(value: number): string {
  return FailInfo[value] ?? `unknown(${value})`;
}

/** RFC 8894 §3.2.1.5: senderNonce is 16 random bytes. Parsers accept other lengths (iOS sent 8, see fixtures). */
export const NONCE_LENGTH = 16;
