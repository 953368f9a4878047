/**
 * Bulk device import from MobileIron's "Add Multiple Devices" CSV (columns: csv-columns.ts). Every row is
 * checked, not just up to the first bad one, and every problem is reported with its line number and column.
 * By default the import is all-or-nothing: one bad row and nothing is written. With `partial: true` the good
 * rows are imported and the bad ones reported. A row is judged against the directory plus the good rows
 * before it, so a later row may use the local user an earlier good row creates.
 */
import { parse } from 'csv-parse/sync';
import type { Directory } from './directory.js';
import { type CsvColumnKey, DEVICE_CSV_COLUMNS, normaliseHeader, parseOwner, parsePlatform, parseSource } from './csv-columns.js';
import { parseCountryCode, parseNationalNumber } from './identifiers.js';
import { type Device, type DeviceInput, deviceInputSchema, type User, type UserInput, userInputSchema } from './model.js';

export type CsvProblemCode =
  | 'syntax'
  | 'empty_file'
  | 'missing_column'
  | 'unknown_column'
  | 'duplicate_column'
  | 'field_count'
  | 'required'
  | 'invalid_value'
  | 'user_not_found'
  | 'source_mismatch'
  | 'conflict'
  | 'ignored';

export interface CsvProblem {
  /** 1-based line of the file where the row (or header) starts. */
  line: number;
  /** The column's header as the product writes it, when the problem is in one column. */
  column?: string;
  value?: string;
  code: CsvProblemCode;
  message: string;
}

export interface CsvImportOptions {
  /** Import the good rows even when some are bad (default: all-or-nothing). */
  partial?: boolean;
}

export interface CsvImportResult {
  /** Data rows read (blank lines not counted). */
  rows: number;
  /** Whether anything was written to the directory. */
  applied: boolean;
  devices: Device[];
  /** Local users created by the import. */
  users: User[];
  errors: CsvProblem[];
  warnings: CsvProblem[];
  /** Lines of the rows that were not imported. */
  rejectedLines: number[];
}

interface PlannedRow {
  line: number;
  newUser?: { input: UserInput; line: number };
  device: DeviceInput;
}

/** Problems of one line are listed in the product's column order, whole-row ones first. */
function columnOrder(problem: CsvProblem): number {
  return problem.column === undefined ? -1 : DEVICE_CSV_COLUMNS.findIndex((c) => c.header === problem.column);
}

const HEADER_OF = Object.fromEntries(DEVICE_CSV_COLUMNS.map((c) => [c.key, c.header])) as Record<CsvColumnKey, string>;

/** Records with their starting line. Line endings are normalised first: csv-parse counts a quoted CRLF twice. */
function readRecords(text: string, errors: CsvProblem[]): { fields: string[]; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  const parsed = parse(text.replace(/\r\n?/g, '\n'), {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      const line = typeof error?.lines === 'number' ? error.lines : 0;
      // One report per line: an unclosed quote is often followed by a second error that only repeats it.
      if (errors.some((e) => e.code === 'syntax' && e.line === line)) return undefined;
      errors.push({ line, code: 'syntax', message: `CSV syntax: ${error?.message ?? 'unreadable record'}` });
      return undefined;
    },
  }) as unknown as { record: string[]; info: { lines: number } }[];
  for (const { record, info } of parsed) {
    if (record.every((f) => f.trim() === '')) continue;
    const embedded = record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    records.push({ fields: record, line: info.lines - embedded });
  }
  return records;
}

export function importDevicesCsv(directory: Directory, text: string, options: CsvImportOptions = {}): CsvImportResult {
  const errors: CsvProblem[] = [];
  const warnings: CsvProblem[] = [];
  const result = (rows: number, rejectedLines: number[]): CsvImportResult => ({
    rows,
    applied: false,
    devices: [],
    users: [],
    errors: errors.sort((a, b) => a.line - b.line || columnOrder(a) - columnOrder(b)),
    warnings,
    rejectedLines,
  });

  let records: { fields: string[]; line: number }[];
  try {
    records = readRecords(text, errors);
  } catch (e) {
    errors.push({ line: (e as { lines?: number }).lines ?? 0, code: 'syntax', message: `CSV syntax: ${(e as Error).message}` });
    return result(0, []);
  }
  const [header, ...rows] = records;
  if (!header) {
    errors.push({ line: 1, code: 'empty_file', message: 'the file has no header row' });
    return result(0, []);
  }

  // Header: which column index holds which field.
  const syntaxErrors = errors.length;
  const index = new Map<CsvColumnKey, number>();
  header.fields.forEach((name, i) => {
    const column = DEVICE_CSV_COLUMNS.find((c) => normaliseHeader(c.header) === normaliseHeader(name));
    if (!column) {
      const known = DEVICE_CSV_COLUMNS.map((c) => c.header).join(', ');
      errors.push({ line: header.line, column: name, code: 'unknown_column', message: `unknown column "${name}" (columns: ${known})` });
    } else if (index.has(column.key)) {
      errors.push({ line: header.line, column: column.header, code: 'duplicate_column', message: `column "${column.header}" appears twice` });
    } else {
      index.set(column.key, i);
    }
  });
  for (const column of DEVICE_CSV_COLUMNS) {
    if (column.required && !index.has(column.key)) {
      errors.push({ line: header.line, column: column.header, code: 'missing_column', message: `the header has no "${column.header}" column` });
    }
  }
  if (errors.length > syntaxErrors) return result(rows.length, rows.map((r) => r.line));

  // Rows, in order, against the directory plus the good rows before them.
  const newUsers = new Map<string, { input: UserInput; line: number }>();
  const planned: PlannedRow[] = [];
  const rejected: number[] = [];
  for (const row of rows) {
    const rowErrors: CsvProblem[] = [];
    const plan = checkRow(directory, row, index, header.fields.length, newUsers, rowErrors, warnings);
    if (plan && rowErrors.length === 0) {
      planned.push(plan);
      if (plan.newUser) newUsers.set(plan.newUser.input.id, plan.newUser);
    } else {
      rejected.push(row.line);
      errors.push(...rowErrors);
    }
  }

  const out = result(rows.length, rejected);
  if (planned.length === 0 || (errors.length > 0 && !options.partial)) {
    out.rejectedLines = rows.map((r) => r.line);
    return out;
  }
  for (const plan of planned) {
    if (plan.newUser) out.users.push(directory.addUser(plan.newUser.input));
    out.devices.push(directory.addDevice(plan.device));
  }
  out.applied = true;
  return out;
}

function checkRow(
  directory: Directory,
  row: { fields: string[]; line: number },
  index: Map<CsvColumnKey, number>,
  width: number,
  newUsers: Map<string, { input: UserInput; line: number }>,
  errors: CsvProblem[],
  warnings: CsvProblem[],
): PlannedRow | undefined {
  const { line } = row;
  if (row.fields.length !== width) {
    errors.push({ line, code: 'field_count', message: `${row.fields.length} fields where the header has ${width}` });
    return undefined;
  }
  const get = (key: CsvColumnKey) => {
    const i = index.get(key);
    return i === undefined ? '' : row.fields[i]!.trim();
  };
  const problem = (list: CsvProblem[], key: CsvColumnKey, code: CsvProblemCode, message: string) =>
    list.push({ line, column: HEADER_OF[key], value: get(key), code, message });

  // User and source.
  const userId = get('user');
  const source = parseSource(get('source'));
  if (source === undefined) problem(errors, 'source', 'invalid_value', `Source must be Local or LDAP, got "${get('source')}"`);
  let newUser: PlannedRow['newUser'];
  if (userId === '') {
    problem(errors, 'user', 'required', 'User is required');
  } else {
    const existing = directory.getUser(userId);
    const planned = newUsers.get(userId);
    const known = existing ?? (planned ? { source: 'local' as const } : undefined);
    if (known) {
      if (source && source !== known.source) {
        problem(errors, 'source', 'source_mismatch', `user "${userId}" is a${known.source === 'ldap' ? 'n LDAP' : ' local'} user, not ${source === 'ldap' ? 'LDAP' : 'Local'}`);
      }
      if (planned && !existing) {
        for (const key of ['firstName', 'lastName'] as const) {
          const value = get(key);
          if (value !== '' && value !== planned.input[key]) {
            problem(errors, key, 'conflict', `user "${userId}" is created on line ${planned.line} with ${HEADER_OF[key]} "${planned.input[key]}"`);
          }
        }
      } else {
        for (const key of ['password', 'firstName', 'lastName'] as const) {
          if (get(key) !== '') problem(warnings, key, 'ignored', `user "${userId}" exists; ${HEADER_OF[key]} is ignored`);
        }
      }
    } else if (source === 'ldap') {
      problem(errors, 'user', 'user_not_found', `LDAP user "${userId}" is not in the directory`);
    } else if (source !== undefined) {
      const input: UserInput = { id: userId, source: 'local', password: get('password'), firstName: get('firstName'), lastName: get('lastName') };
      for (const key of ['password', 'firstName', 'lastName'] as const) {
        if (get(key) === '') problem(errors, key, 'required', `${HEADER_OF[key]} is required to create local user "${userId}"`);
      }
      const checked = userInputSchema.safeParse(input);
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          const key = (issue.path[0] === 'id' ? 'user' : issue.path[0]) as CsvColumnKey;
          if (get(key) !== '' && HEADER_OF[key]) problem(errors, key, 'invalid_value', `${HEADER_OF[key]}: ${issue.message}`);
        }
      }
      newUser = { input, line };
    }
  }

  // Device fields.
  const platform = parsePlatform(get('platform'));
  if (get('platform') === '') problem(errors, 'platform', 'required', 'Platform is required');
  else if (!platform) problem(errors, 'platform', 'invalid_value', `Platform must be one of iOS, Android, Windows Phone, macOS; got "${get('platform')}"`);
  const ownership = parseOwner(get('owner'));
  if (!ownership) problem(errors, 'owner', 'invalid_value', `Owner must be Company or Employee, got "${get('owner')}"`);

  let phone: DeviceInput['phone'];
  const countryCode = get('countryCode') === '' ? '' : parseCountryCode(get('countryCode'));
  if (countryCode === undefined) problem(errors, 'countryCode', 'invalid_value', 'Country Code must be 1–3 digits');
  if (get('mobileNumber') !== '') {
    const number = parseNationalNumber(get('mobileNumber'));
    if (!number) problem(errors, 'mobileNumber', 'invalid_value', 'Mobile Number must be 4–14 digits (spaces, dots, dashes, parentheses allowed)');
    if (countryCode === '') problem(errors, 'countryCode', 'required', 'Country Code is required with a Mobile Number');
    if (number && countryCode) {
      if (countryCode.length + number.length > 15) problem(errors, 'mobileNumber', 'invalid_value', 'Country Code and Mobile Number exceed 15 digits (E.164)');
      phone = { countryCode, number };
    }
  }
  const operator = get('operator') || undefined;
  const device: DeviceInput = { userId, platform: platform ?? 'ios', ownership: ownership ?? 'company', phone, operator };
  const checked = deviceInputSchema.safeParse(device);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      if (issue.path[0] === 'operator') problem(errors, 'operator', 'invalid_value', `Operator: ${issue.message}`);
    }
  }
  return { line, newUser, device };
}
