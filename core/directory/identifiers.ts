/**
 * Device and phone identifiers: what a well-formed IMEI, Apple UDID, serial number and phone number look like.
 * The directory refuses malformed ones, so a template never puts a broken identifier into a certificate, and the
 * emulated devices use makeImei to report IMEIs that pass the same check a real MDM applies (Luhn).
 */

/** The Luhn check digit for a string of digits (ISO/IEC 7812-1, as used by IMEI). */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** An IMEI: 15 digits, the last a Luhn check digit over the first 14 (3GPP TS 23.003 §6.2.1). */
export function isValidImei(value: string): boolean {
  return /^\d{15}$/.test(value) && luhnCheckDigit(value.slice(0, 14)) === Number(value[14]);
}

/** Completes 14 digits (TAC + serial) with their check digit. */
export function makeImei(first14: string): string {
  if (!/^\d{14}$/.test(first14)) throw new RangeError(`an IMEI body is 14 digits, got "${first14}"`);
  return first14 + luhnCheckDigit(first14);
}

/**
 * An Apple UDID: 40 hex digits (devices before 2018) or 8 + 16 hex digits joined by '-' (A12 and later);
 * Macs report a UUID (8-4-4-4-12).
 */
export function isValidUdid(value: string): boolean {
  return (
    /^[0-9a-f]{40}$/i.test(value) ||
    /^[0-9a-f]{8}-[0-9a-f]{16}$/i.test(value) ||
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
  );
}

/** ASSUMPTION: serial numbers are 4–40 letters, digits or '-' (Apple uses 10–12 alphanumerics; Android varies). */
export function isValidSerialNumber(value: string): boolean {
  return /^[A-Za-z0-9-]{4,40}$/.test(value);
}

/** A phone number as the MDM keeps it: country calling code and national number, digits only. */
export interface PhoneNumber {
  countryCode: string;
  number: string;
}

/** Country calling codes are 1–3 digits (ITU-T E.164); a leading '+' is accepted and dropped. */
export function parseCountryCode(text: string): string | undefined {
  const m = /^\+?(\d{1,3})$/.exec(text.trim());
  return m ? m[1] : undefined;
}

/**
 * A national number as people type it ("(617) 555-0100", "617.555.0100"): separators dropped, 4–14 digits left.
 * Returns undefined for anything else (letters, a second '+', too short or too long).
 */
export function parseNationalNumber(text: string): string | undefined {
  const digits = text.trim().replace(/[\s().-]/g, '');
  return /^\d{4,14}$/.test(digits) ? digits : undefined;
}

/** E.164 form ("+16175550100"): at most 15 digits in all. */
export function formatE164(phone: PhoneNumber): string {
  return `+${phone.countryCode}${phone.number}`;
}

export function isValidPhone(phone: PhoneNumber): boolean {
  return (
    /^\d{1,3}$/.test(phone.countryCode) &&
    /^\d{4,14}$/.test(phone.number) &&
    phone.countryCode.length + phone.number.length <= 15
  );
}
