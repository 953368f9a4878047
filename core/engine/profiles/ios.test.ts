import { describe, expect, it } from 'vitest';
import { appleSubject } from './ios.js';

describe('Apple Subject in the SCEP payload', () => {
  it('keeps the names Apple documents and writes every other attribute as a dotted OID', () => {
    const subject = appleSubject('CN=Jane Doe,emailAddress=jane@example.test,UID=jdoe,OU=Staff,O=Example');
    expect(subject).toEqual([
      [['O', 'Example']],
      [['OU', 'Staff']],
      [['0.9.2342.19200300.100.1.1', 'jdoe']],
      [['1.2.840.113549.1.9.1', 'jane@example.test']],
      [['CN', 'Jane Doe']],
    ]);
  });
});
