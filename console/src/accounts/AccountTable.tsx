import { Link, useLocation } from "wouter-preact";
import type { ConsoleAccountsQuery } from "../generated/graphql.ts";
import { toggled, type Selection } from "./bulk/selection.ts";
import { EmailLabel, ExternalIdentityLabel, formatDate, fullName, StatusLabel } from "./labels.tsx";
import { accountPath } from "./paths.ts";

/** A click on the row, not on its link (which navigates by itself) nor on its checkbox. */
const opensRow = (event: MouseEvent) => !(event.target instanceof Element && event.target.closest("a, input, label"));

type Row = ConsoleAccountsQuery["customers"]["edges"][number]["node"];

interface Props {
  rows: Row[];
  selection: Selection;
  onSelect: (selection: Selection) => void;
}

export function AccountTable({ rows, selection, onSelect }: Props) {
  const [, navigate] = useLocation();
  const all = selection.kind === "matching";
  const ticked = (id: string) => all || (selection.kind === "ids" && selection.ids.includes(id));
  const pageIds = rows.map((row) => row.id);
  return (
    <table class="accounts">
      <thead>
        <tr>
          <th scope="col">
            <input
              type="checkbox"
              aria-label="Select every account on this page"
              disabled={all}
              checked={pageIds.every(ticked)}
              onChange={(e) => onSelect(toggled(selection, pageIds, e.currentTarget.checked))}
            />
          </th>
          <th scope="col">Name</th>
          <th scope="col">Primary email</th>
          <th scope="col">Status</th>
          <th scope="col">Identity</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((account) => (
          // The whole row opens the account; the name is the link keyboards and screen readers use.
          <tr key={account.id} class="clickable" onClick={(e) => opensRow(e) && navigate(accountPath(account.id))}>
            <td>
              <input
                type="checkbox"
                aria-label={`Select ${fullName(account)}`}
                disabled={all}
                checked={ticked(account.id)}
                onChange={(e) => onSelect(toggled(selection, [account.id], e.currentTarget.checked))}
              />
            </td>
            <td>
              <Link href={accountPath(account.id)}>{fullName(account)}</Link>
            </td>
            <td>
              {account.primaryEmail ?? "—"} <EmailLabel labels={account.labels} />
            </td>
            <td>
              <StatusLabel labels={account.labels} />
            </td>
            <td>
              <ExternalIdentityLabel labels={account.labels} />
            </td>
            <td>{formatDate(account.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
