import html, { type HtmlSafeString } from "escape-html-template-tag";
import type { AccountDocument } from "./document.ts";

// The account-information document as one self-contained HTML page: inline CSS, no scripts, no
// external resources, and a Content-Security-Policy that forbids loading or running anything, so
// the file is safe to open wherever it is saved. Every value goes through the `html` tag, which
// escapes each interpolation unless it is itself an `html` fragment (there is no other way in:
// `safe()` is not used anywhere), so customer-controlled text can only ever appear as text.

/** "firstName" → "First name": column headings from the document's keys. */
const label = (key: string) =>
  key
    .replace(/([A-Z])/g, " $1")
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase());

function cell(value: unknown): HtmlSafeString {
  if (value === null || value === undefined || value === "") return html`<span class="none">—</span>`;
  if (typeof value === "object") return html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
  return html`${String(value)}`;
}

/** One row per object, one column per key of the first. */
function table(rows: Record<string, unknown>[]): HtmlSafeString {
  if (rows.length === 0) return html`<p class="none">None.</p>`;
  const columns = Object.keys(rows[0]);
  return html`<table>
    <thead>
      <tr>
        ${columns.map((c) => html`<th>${label(c)}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            ${columns.map((c) => html`<td>${cell(row[c])}</td>`)}
          </tr> `,
      )}
    </tbody>
  </table>`;
}

/** One row per key: a single object (the profile, the custom fields). */
function fields(object: Record<string, unknown>, keyLabel = label): HtmlSafeString {
  const entries = Object.entries(object);
  if (entries.length === 0) return html`<p class="none">None.</p>`;
  return html`<table>
    <tbody>
      ${entries.map(
        ([k, v]) =>
          html`<tr>
            <th>${keyLabel(k)}</th>
            <td>${cell(v)}</td>
          </tr> `,
      )}
    </tbody>
  </table>`;
}

const section = (title: string, body: HtmlSafeString) =>
  html`<section>
    <h2>${title}</h2>
    ${body}
  </section> `;

/** The page's head: the policy that forbids loading or running anything, and the inline style. */
const head = (title: string) =>
  html`<head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${title}</title>
    <style>
      body {
        font:
          15px/1.45 system-ui,
          sans-serif;
        margin: 2rem auto;
        max-width: 72rem;
        padding: 0 1rem;
        color: #1b1b1b;
      }
      h1 {
        font-size: 1.6rem;
      }
      h2 {
        font-size: 1.2rem;
        margin-top: 2rem;
        border-bottom: 1px solid #ccc;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        margin: 0.5rem 0;
      }
      th,
      td {
        border: 1px solid #ddd;
        padding: 0.3rem 0.5rem;
        text-align: left;
        vertical-align: top;
      }
      th {
        background: #f4f4f4;
        font-weight: 600;
      }
      pre {
        margin: 0;
        white-space: pre-wrap;
        word-break: break-word;
        font-size: 0.85rem;
      }
      .none {
        color: #888;
      }
      .notice {
        background: #fff4d6;
        border: 1px solid #e6c86e;
        padding: 0.5rem;
      }
    </style>
  </head>`;

export function accountDocumentHtml(doc: AccountDocument): string {
  const name = [doc.customer.firstName, doc.customer.lastName].filter(Boolean).join(" ") || doc.customer.uid;
  const truncation = doc.truncated
    ? html`<p class="notice">
        The account has ${doc.auditEventsTotal} audit events; this document holds the newest ${doc.auditEvents.length}.
      </p>`
    : html``;
  const page = html`<!DOCTYPE html>
    <html lang="en">
      ${head(`Account information: ${name}`)}
      <body>
        <h1>Account information: ${name}</h1>
        <p>Generated at ${doc.generatedAt}. Times are in UTC.</p>
        ${section("Profile", fields(doc.customer))} ${section("Email addresses", table(doc.emails))}
        ${section("Phone numbers", table(doc.phones))} ${section("Sign-in identities", table(doc.identities))}
        ${section("Sessions", table(doc.sessions))} ${section("Consents (full history, oldest first)", table(doc.consents))}
        ${section("Custom objects", table(doc.customObjects))}
        ${section(
          "Custom fields",
          fields(doc.customFields, (key) => key),
        )}
        ${section("Audit events (oldest first)", html`${truncation}${table(doc.auditEvents)}`)}
      </body>
    </html>`;
  return page.toString();
}
