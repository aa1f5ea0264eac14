import Mustache from "mustache";
import type { NotificationKind } from "../generated/prisma/enums.ts";
import type { ValidationIssue } from "../errors.ts";

// Notification templates: mustache (logic-less; a well-kept engine instead of our own). Subject and
// text are rendered without escaping (they are not HTML); the HTML body escapes every value, and
// triple braces / {{& }} are refused in it so a customer-controlled value can never become markup.
// Names are checked when a template is saved: a typo is a VALIDATION_FAILED, not a blank in a mail.

export interface Template {
  subject: string;
  text: string;
  html?: string | null;
}

export const NOTIFICATION_KINDS = [
  "PROFILE_UPDATED",
  "PASSWORD_CHANGED",
  "PASSWORD_RESET",
  "AUTHENTICATOR_ADDED",
  "AUTHENTICATOR_REMOVED",
] as const satisfies readonly NotificationKind[];

const COMMON = [
  "customer.firstName",
  "customer.lastName",
  "customer.email",
  "application.name",
  "application.displayName",
  "application.logoUrl",
  "application.primaryColor",
  "application.accentColor",
];

/** The variables each kind's template may use (besides `.` inside a section). */
export const KIND_VARIABLES: Record<NotificationKind, string[]> = {
  PROFILE_UPDATED: [...COMMON, "changedFields"],
  PASSWORD_CHANGED: COMMON,
  PASSWORD_RESET: [...COMMON, "resetLink", "token", "expiresAt"],
  AUTHENTICATOR_ADDED: [...COMMON, "authenticator.kind", "authenticator.label"],
  AUTHENTICATOR_REMOVED: [...COMMON, "authenticator.kind", "authenticator.label"],
};

const HEADER =
  '<div style="font-family:sans-serif;border-top:4px solid {{application.primaryColor}};padding:16px">' +
  '{{#application.logoUrl}}<img src="{{application.logoUrl}}" alt="{{application.displayName}}" height="40"><br>{{/application.logoUrl}}' +
  "<p>Hello {{customer.firstName}},</p>";
const FOOTER = '<p style="color:{{application.accentColor}}">{{application.displayName}}</p></div>';

const plain = (subject: string, line: string, htmlLine = line): Template => ({
  subject,
  text: `Hello {{customer.firstName}},\n\n${line}\n\n{{application.displayName}}`,
  html: `${HEADER}<p>${htmlLine}</p>${FOOTER}`,
});

/** What an application without its own template for a kind sends. */
export const DEFAULT_TEMPLATES: Record<NotificationKind, Template> = {
  PROFILE_UPDATED: plain(
    "Your {{application.displayName}} profile was updated",
    "Your profile was updated: {{#changedFields}}{{.}} {{/changedFields}}. If you did not ask for this, contact us.",
  ),
  PASSWORD_CHANGED: plain(
    "Your {{application.displayName}} password was changed",
    "Your password was changed by our support team. If you did not ask for this, contact us.",
  ),
  PASSWORD_RESET: plain(
    "Reset your {{application.displayName}} password",
    "Set a new password here (valid until {{expiresAt}}): {{#resetLink}}{{resetLink}}{{/resetLink}}{{^resetLink}}code {{token}}{{/resetLink}}",
    'Set a new password {{#resetLink}}<a href="{{resetLink}}">here</a>{{/resetLink}}{{^resetLink}}with the code <b>{{token}}</b>{{/resetLink}} (valid until {{expiresAt}}).',
  ),
  AUTHENTICATOR_ADDED: plain(
    "A sign-in method was added to your {{application.displayName}} account",
    "{{authenticator.kind}} {{authenticator.label}} was added to your account. If you did not ask for this, contact us.",
  ),
  AUTHENTICATOR_REMOVED: plain(
    "A sign-in method was removed from your {{application.displayName}} account",
    "{{authenticator.kind}} {{authenticator.label}} was removed from your account. If you did not ask for this, contact us.",
  ),
};

type Token = [string, string, number, number, Token[]?];

/** Problems of one template part: parse errors, unknown names, partials, unescaped output in HTML. */
function checkPart(source: string, allowed: Set<string>, html: boolean): string[] {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(source) as unknown as Token[];
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  const walk = (list: Token[], depth: number) => {
    for (const [type, name, , , children] of list) {
      if (type === "text") continue;
      if (type === ">") problems.push(`partials are not supported ({{> ${name}}})`);
      else if (html && (type === "&" || type === "{")) problems.push(`unescaped output is not allowed in HTML ({{{${name}}}})`);
      else if (!(allowed.has(name) || (name === "." && depth > 0))) problems.push(`unknown variable ${name}`);
      if (children) walk(children, depth + 1);
    }
  };
  walk(tokens, 0);
  return problems;
}

/** The issues of a template for `kind`, with fields under `path` (empty: it is fine). */
export function checkTemplate(kind: NotificationKind, template: Template, path: string): ValidationIssue[] {
  const allowed = new Set(KIND_VARIABLES[kind]);
  const parts: [keyof Template, string | null | undefined, boolean][] = [
    ["subject", template.subject, false],
    ["text", template.text, false],
    ["html", template.html, true],
  ];
  return parts.flatMap(([part, source, html]) =>
    source == null ? [] : checkPart(source, allowed, html).map((message) => ({ field: `${path}.${part}`, message })),
  );
}

export interface Rendered {
  subject: string;
  text: string;
  html: string | null;
}

const verbatim = (value: unknown) => String(value);
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
/** The five characters that matter in text and quoted attributes (mustache's default also escapes / = `, which mangles links for no gain). */
const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** Renders a checked template. Subject lines lose their line breaks (header injection is nodemailer's to refuse, but a folded subject reads badly). */
export function renderTemplate(template: Template, view: Record<string, unknown>): Rendered {
  const raw = { escape: verbatim };
  return {
    subject: Mustache.render(template.subject, view, {}, raw)
      .replace(/[\r\n]+/g, " ")
      .trim(),
    text: Mustache.render(template.text, view, {}, raw),
    html: template.html ? Mustache.render(template.html, view, {}, { escape: escapeHtml }) : null,
  };
}
