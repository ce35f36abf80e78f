import { readFileSync } from 'node:fs';
import { DatasetError } from './errors.js';

/** One record of a CSV or JSONL file, with the 1-based line it starts on. */
export interface Row {
  readonly line: number;
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * Parses CSV text (RFC 4180: quoted fields may hold commas, doubled quotes and newlines). The
 * first record is the header. Blank lines are skipped.
 * @throws DatasetError naming the line for an unterminated quote or a row with the wrong number
 * of fields
 */
export function parseCsv(text: string, file: string): Row[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let sawAny = false;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRecord = (): void => {
    fields.push(field);
    if (sawAny || fields.length > 1 || field !== '') records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    sawAny = false;
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      sawAny = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      sawAny = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
    }
  }
  if (quoted) {
    throw new DatasetError(
      'DATASET_ROW_INVALID',
      `${file}:${recordLine}: a quoted field is never closed. Close the quote (write "" for a literal quote inside a field).`,
      { file, line: recordLine },
    );
  }
  endRecord();
  const [header, ...rest] = records;
  if (header === undefined) return [];
  const names = header.fields.map((name) => name.trim());
  return rest.map(({ line: at, fields: cells }) => {
    if (cells.length !== names.length) {
      throw new DatasetError(
        'DATASET_ROW_INVALID',
        `${file}:${at}: expected ${names.length} fields (${names.join(', ')}), found ${cells.length}. ` +
          `Quote fields that contain commas ("a, b") and check the row.`,
        { file, line: at },
      );
    }
    const values: Record<string, unknown> = {};
    names.forEach((name, k) => (values[name] = cells[k]));
    return { line: at, values };
  });
}

/**
 * Parses JSON Lines: one JSON object per line; blank lines are skipped.
 * @throws DatasetError naming the line for invalid JSON or a value that is not an object
 */
export function parseJsonl(text: string, file: string): Row[] {
  const rows: Row[] = [];
  text.split(/\r?\n/).forEach((raw, k) => {
    const line = k + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new DatasetError(
        'DATASET_ROW_INVALID',
        `${file}:${line}: not valid JSON (${(error as Error).message}). Each line must be one JSON object, e.g. {"path": "a.wav", "caption": "a dog barks"}.`,
        { file, line },
        { cause: error },
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DatasetError(
        'DATASET_ROW_INVALID',
        `${file}:${line}: expected a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value}. Write one object per line.`,
        { file, line },
      );
    }
    rows.push({ line, values: value as Record<string, unknown> });
  });
  return rows;
}

/** Reads a table file by extension: `.jsonl`/`.ndjson` as JSON Lines, anything else as CSV. */
export function readTable(file: string, format: 'auto' | 'csv' | 'jsonl' = 'auto'): Row[] {
  const text = readFileSync(file, 'utf8');
  const jsonl = format === 'jsonl' || (format === 'auto' && /\.(jsonl|ndjson)$/i.test(file));
  return jsonl ? parseJsonl(text, file) : parseCsv(text, file);
}

/** A row's non-empty string value for the first of `keys` present, else undefined. */
export function stringField(row: Row, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = row.values[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

/** Builds the "row lacks a required column" error. */
export function missingField(
  row: Row,
  file: string,
  keys: readonly string[],
  example: string,
): DatasetError {
  return new DatasetError(
    'DATASET_ROW_INVALID',
    `${file}:${row.line}: missing ${keys.map((k) => `"${k}"`).join(' or ')}. Every row needs it, e.g. ${example}.`,
    { file, line: row.line },
  );
}
