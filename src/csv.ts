// CSV per RFC 4180 (comma, CRLF, a field quoted when it holds a comma, quote, CR or LF), made safe
// for spreadsheets: a cell starting with = + - @ tab or CR gets a leading ' (OWASP CSV injection),
// so Excel or Sheets show it as text instead of running it as a formula. Imports remove that quote
// again, so what an export wrote (a phone number `'+14155550100`) reads back as it was.
// Export pages build the same cells in SQL (exports/csv.ts, csvCellSql).

export const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: null empty, the formula prefix, quoting when needed. */
export function csvCell(value: string | number | null): string {
  let text = value === null ? "" : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvRow = (cells: (string | number | null)[]): string => `${cells.map(csvCell).join(",")}\r\n`;

/**
 * Undoes the formula prefix: a cell of ' followed by = + - @ tab or CR loses its quote. A value
 * that really starts that way loses it too (rare enough to accept).
 */
export const unescapeFormula = (text: string): string => (text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text);
