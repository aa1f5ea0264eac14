import { useQuery } from "@urql/preact";
import { useEffect } from "preact/hooks";
import { ConsoleApplicationsDocument, type ConsoleApplicationChoiceFragment } from "../../../generated/graphql.ts";
import { QueryError } from "../../../shared/OutcomeLine.tsx";

export type Application = ConsoleApplicationChoiceFragment;

interface Props {
  label: string;
  value: Application | null;
  onChange: (application: Application | null) => void;
  /** When given, an option for no application at all, named so. */
  noneLabel?: string;
  disabled?: boolean;
}

/**
 * The application a message goes out through (its branding, its links). The first application is
 * chosen once they have loaded, so nothing is sent without one unless the member says so.
 */
export function ApplicationChoice({ label, value, onChange, noneLabel, disabled }: Props) {
  const [{ data, error }] = useQuery({ query: ConsoleApplicationsDocument });
  const applications = data?.applications.edges.map((edge) => edge.node) ?? [];
  const first = applications[0] ?? null;
  useEffect(() => {
    if (value === null && first) onChange(first);
    // Only when the list arrives: choosing "none" later must stay chosen.
  }, [first?.id]);
  if (error) return <QueryError error={error} />;
  return (
    <label>
      <span>{label}</span>
      <select
        value={value?.id ?? ""}
        disabled={disabled}
        onChange={(event) => onChange(applications.find((app) => app.id === event.currentTarget.value) ?? null)}
      >
        {noneLabel !== undefined && <option value="">{noneLabel}</option>}
        {noneLabel === undefined && applications.length === 0 && <option value="">No applications in this store</option>}
        {applications.map((app) => (
          <option key={app.id} value={app.id}>
            {app.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Why a password-reset message will carry a code rather than a link, when it will. */
export function resetLinkHint(application: Application | null): string | null {
  if (!application || application.passwordResetUrl) return null;
  return `${application.name} has no password-reset URL: its message gives the customer a code instead of a link.`;
}
