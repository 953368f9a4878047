/** PEM armour (RFC 7468): the only text form of DER that mdmca reads and writes. */

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every PEM block in `text`, in order. Headers such as Proc-Type are skipped, not decrypted. */
export function parsePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const body = (match[2] ?? '')
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '' && !line.includes(':'))
      .join('');
    blocks.push({ label: match[1] ?? '', der: new Uint8Array(Buffer.from(body, 'base64')) });
  }
  return blocks;
}

/** The DER of the first block with `label`; throws with the labels found when there is none. */
export function pemToDer(text: string, label: string): Uint8Array {
  const blocks = parsePem(text);
  const block = blocks.find((b) => b.label === label);
  if (!block) {
    const found = blocks.map((b) => b.label).join(', ') || 'no PEM blocks';
    throw new Error(`expected a PEM "${label}" block, found ${found}`);
  }
  return block.der;
}

/** Accepts DER bytes or PEM text (as a string or bytes) and returns DER. */
export function derOrPem(input: Uint8Array | string, label: string): Uint8Array {
  if (typeof input === 'string') return pemToDer(input, label);
  const head = Buffer.from(input.subarray(0, 11)).toString('latin1');
  if (head === '-----BEGIN ') return pemToDer(Buffer.from(input).toString('latin1'), label);
  return input;
}
