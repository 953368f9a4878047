/**
 * The SCEP signed attributes (RFC 8894 §3.2.1): written as the RFC says (PrintableString decimals, OCTET STRING
 * nonces, UTF8String failInfoText), read leniently (UTF8String where PrintableString belongs, nonces of any
 * length), with malformed values reported as badRequest.
 */
import { octetString, printableString, utf8String } from '../pki/der-writer.js';
import { type Attribute, type AttributeValue } from './cms-schema.js';
import { CMS_OID, type FailInfo, FailInfo as FailInfoCode, type MessageType, type PkiStatus, SCEP_OID } from './constants.js';
import { ScepError } from './errors.js';
import { attribute, single } from './signed-data.js';

export interface ScepAttributes {
  messageType: MessageType;
  transactionId: string;
  senderNonce?: Uint8Array;
  recipientNonce?: Uint8Array;
  pkiStatus?: PkiStatus;
  failInfo?: FailInfo;
  failInfoText?: string;
}

// X.680 PrintableString: letters, digits, space and '()+,-./:=?
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function isPrintableString(value: string): boolean {
  return PRINTABLE.test(value);
}

/** The SCEP attributes as Attribute DERs, for buildSignedData. */
export function encodeScepAttributes(values: ScepAttributes): Uint8Array[] {
  if (values.transactionId === '' || !isPrintableString(values.transactionId)) {
    throw new Error(`transactionID must be a non-empty PrintableString, got ${JSON.stringify(values.transactionId)}`);
  }
  const out = [
    attribute(SCEP_OID.messageType, printableString(String(values.messageType))),
    attribute(SCEP_OID.transactionID, printableString(values.transactionId)),
  ];
  if (values.senderNonce) out.push(attribute(SCEP_OID.senderNonce, octetString(values.senderNonce)));
  if (values.recipientNonce) out.push(attribute(SCEP_OID.recipientNonce, octetString(values.recipientNonce)));
  if (values.pkiStatus !== undefined) out.push(attribute(SCEP_OID.pkiStatus, printableString(String(values.pkiStatus))));
  if (values.failInfo !== undefined) out.push(attribute(SCEP_OID.failInfo, printableString(String(values.failInfo))));
  if (values.failInfoText !== undefined) out.push(attribute(SCEP_OID.failInfoText, utf8String(values.failInfoText)));
  return out;
}

/** What a message carried; every field optional, since which are mandatory depends on the message kind. */
export interface ReceivedScepAttributes {
  messageType?: number;
  transactionId?: string;
  senderNonce?: Uint8Array;
  recipientNonce?: Uint8Array;
  pkiStatus?: number;
  failInfo?: number;
  failInfoText?: string;
  signingTime?: Date;
}

const badValue = (name: string) => new ScepError(FailInfoCode.badRequest, `${name} attribute has a malformed value`);

function text(value: AttributeValue | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const string = value.printable ?? value.utf8;
  if (string === undefined) throw badValue(name);
  return string;
}

function decimal(value: AttributeValue | undefined, name: string): number | undefined {
  const string = text(value, name);
  if (string === undefined) return undefined;
  if (!/^\d{1,3}$/.test(string.trim())) throw badValue(name);
  return Number(string.trim());
}

function octets(value: AttributeValue | undefined, name: string): Uint8Array | undefined {
  if (!value) return undefined;
  if (!value.octets) throw badValue(name);
  return new Uint8Array(value.octets);
}

export function readScepAttributes(attributes: readonly Attribute[]): ReceivedScepAttributes {
  const out: ReceivedScepAttributes = {};
  const messageType = decimal(single(attributes, SCEP_OID.messageType), 'messageType');
  const transactionId = text(single(attributes, SCEP_OID.transactionID), 'transactionID');
  const senderNonce = octets(single(attributes, SCEP_OID.senderNonce), 'senderNonce');
  const recipientNonce = octets(single(attributes, SCEP_OID.recipientNonce), 'recipientNonce');
  const pkiStatus = decimal(single(attributes, SCEP_OID.pkiStatus), 'pkiStatus');
  const failInfo = decimal(single(attributes, SCEP_OID.failInfo), 'failInfo');
  const failInfoText = text(single(attributes, SCEP_OID.failInfoText), 'failInfoText');
  const time = single(attributes, CMS_OID.signingTime);
  const signingTime = time?.utcTime ?? time?.generalizedTime;
  if (messageType !== undefined) out.messageType = messageType;
  if (transactionId !== undefined) out.transactionId = transactionId;
  if (senderNonce) out.senderNonce = senderNonce;
  if (recipientNonce) out.recipientNonce = recipientNonce;
  if (pkiStatus !== undefined) out.pkiStatus = pkiStatus;
  if (failInfo !== undefined) out.failInfo = failInfo;
  if (failInfoText !== undefined) out.failInfoText = failInfoText;
  if (signingTime && !Number.isNaN(signingTime.getTime())) out.signingTime = signingTime;
  return out;
}
