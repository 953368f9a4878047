/**
 * Splitting a template into literal text and placeholders, per dialect. Any text that starts a placeholder
 * and does not finish one is a 'malformed' segment, so nothing that looks like a variable is ever passed
 * through silently. None of the products documents an escape, and inventing one would make mdmca read a
 * template differently from the product, so there is none:
 *   mobileiron     ${name}   name = [A-Za-z_][A-Za-z0-9_.-]*   "${" always starts one; any other "$" is literal
 *   workspace-one  {Name}    name = [A-Za-z][A-Za-z0-9_]*      "{" + letter starts one; other "{" and all "}" literal
 *   maas360        %name%    name = [A-Za-z][A-Za-z0-9_]*      "%" + letter starts one; any other "%" is literal
 */
import type { Dialect } from './model.js';

export type Segment =
  | { kind: 'literal'; text: string; offset: number }
  | { kind: 'placeholder'; name: string; raw: string; offset: number }
  | { kind: 'malformed'; raw: string; offset: number; reason: string };

interface Syntax {
  /** Finds where the next placeholder attempt starts at or after `from`, or -1. */
  next(text: string, from: number): number;
  open: string;
  close: string;
  first: RegExp;
  rest: RegExp;
}

const SYNTAX: Record<Dialect, Syntax> = {
  mobileiron: { next: (t, i) => t.indexOf('${', i), open: '${', close: '}', first: /[A-Za-z_]/, rest: /[A-Za-z0-9_.-]/ },
  'workspace-one': { next: (t, i) => nextBefore(t, i, '{', /[A-Za-z]/), open: '{', close: '}', first: /[A-Za-z]/, rest: /[A-Za-z0-9_]/ },
  maas360: { next: (t, i) => nextBefore(t, i, '%', /[A-Za-z]/), open: '%', close: '%', first: /[A-Za-z]/, rest: /[A-Za-z0-9_]/ },
};

/** The next `open` that is followed by a character matching `letter`. */
function nextBefore(text: string, from: number, open: string, letter: RegExp): number {
  for (let i = text.indexOf(open, from); i >= 0; i = text.indexOf(open, i + 1)) {
    const after = text[i + open.length];
    if (after !== undefined && letter.test(after)) return i;
  }
  return -1;
}

export function tokenize(template: string, dialect: Dialect): Segment[] {
  const syntax = SYNTAX[dialect];
  const segments: Segment[] = [];
  let pos = 0;
  const literal = (end: number) => {
    if (end > pos) segments.push({ kind: 'literal', text: template.slice(pos, end), offset: pos });
  };
  for (let start = syntax.next(template, 0); start >= 0; start = syntax.next(template, pos)) {
    literal(start);
    let i = start + syntax.open.length;
    const nameStart = i;
    while (i < template.length && syntax.rest.test(template[i]!)) i++;
    const name = template.slice(nameStart, i);
    if (template.startsWith(syntax.close, i) && name !== '' && syntax.first.test(name[0]!)) {
      i += syntax.close.length;
      segments.push({ kind: 'placeholder', name, raw: template.slice(start, i), offset: start });
    } else if (template.startsWith(syntax.close, i)) {
      i += syntax.close.length;
      const reason = name === '' ? 'an empty variable name' : `a variable name must start with a letter${dialect === 'mobileiron' ? ' or "_"' : ''}`;
      segments.push({ kind: 'malformed', raw: template.slice(start, i), offset: start, reason });
    } else {
      const found = i < template.length ? `"${String.fromCodePoint(template.codePointAt(i)!)}"` : 'the end of the template';
      segments.push({ kind: 'malformed', raw: template.slice(start, i), offset: start, reason: `expected "${syntax.close}" but found ${found}` });
    }
    pos = i;
  }
  literal(template.length);
  return segments;
}

/** How `name` is written in `dialect`. */
export function placeholder(name: string, dialect: Dialect): string {
  const syntax = SYNTAX[dialect];
  return `${syntax.open}${name}${syntax.close}`;
}

/** Whether `name` can be written as a placeholder of `dialect` at all. */
export function isVariableName(name: string, dialect: Dialect): boolean {
  const syntax = SYNTAX[dialect];
  return name.length > 0 && syntax.first.test(name[0]!) && [...name].every((c) => syntax.rest.test(c));
}
