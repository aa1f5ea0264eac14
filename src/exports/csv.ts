// Rows are built by PostgreSQL (csvCellSql, the same cells as src/csv.ts writes): Node never
// parses or escapes a customer, which is what keeps an export near `COPY … TO STDOUT`; the header
// is built with csvRow.

// A formula start needing quotes is a CR (or a quote/comma/LF later in the cell): the quoted
// branch adds the prefix itself. left() and strpos-free regexes are the cheapest tests measured
// per cell; PostgreSQL's ARE reads \r and \n in a plain literal.
const FORMULA_SQL = (v: string) => `left(${v}, 1) IN ('=', '+', '-', '@', chr(9), chr(13))`;

/**
 * The SQL expression of one CSV cell from a text expression `v` (a plain column reference: it is
 * evaluated up to four times): NULL → empty, formula prefix, RFC 4180 quoting.
 */
export const csvCellSql = (v: string): string =>
  `CASE WHEN ${v} IS NULL THEN '' ` +
  `WHEN ${v} ~ '[",\\r\\n]' THEN '"' || CASE WHEN ${FORMULA_SQL(v)} THEN '''' ELSE '' END || replace(${v}, '"', '""') || '"' ` +
  `WHEN ${FORMULA_SQL(v)} THEN '''' || ${v} ELSE ${v} END`;
