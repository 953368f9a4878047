/**
 * A phone number as a device reports it at registration (E.164, "+16175550100"; spaces, dots, dashes and
 * parentheses allowed) split into the directory's country code and national number. The split follows ITU-T
 * E.164's assignment: codes starting with 1 or 7 have one digit, a known list has two, the rest three.
 */
import { isValidPhone, type PhoneNumber } from '../directory/identifiers.js';

const TWO_DIGIT = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '51', '52', '53', '54',
  '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

export function parsePhoneNumber(text: string): PhoneNumber | undefined {
  const digits = text.trim().replace(/[\s().-]/g, '');
  const match = /^\+(\d{5,15})$/.exec(digits);
  if (!match) return undefined;
  const all = match[1]!;
  const length = all[0] === '1' || all[0] === '7' ? 1 : TWO_DIGIT.has(all.slice(0, 2)) ? 2 : 3;
  const phone = { countryCode: all.slice(0, length), number: all.slice(length) };
  return isValidPhone(phone) ? phone : undefined;
}
