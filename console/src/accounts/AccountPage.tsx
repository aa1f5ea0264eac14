import { useQuery } from "@urql/preact";
import { Link } from "wouter-preact";
import { ConsoleAccountDocument, type ConsoleAccountOverviewFragment } from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { AccountActions } from "./AccountActions.tsx";
import { AccountTabs } from "./tabs/AccountTabs.tsx";
import { EmailLabel, ExternalIdentityLabel, formatDate, fullName, StatusLabel } from "./labels.tsx";
import { QueryError } from "../shared/OutcomeLine.tsx";

export function AccountPage({ id, tab, store }: { id: string; tab: string | undefined; store: ConsoleStore }) {
  const customerId = decodeURIComponent(id);
  const [{ data, fetching, error }] = useQuery({ query: ConsoleAccountDocument, variables: { id: customerId } });
  const account = data?.customer;
  return (
    <section aria-labelledby="account-title">
      <p>
        <Link href="/">← Accounts</Link>
      </p>
      <QueryError error={error} />
      {!account && !fetching && !error && <p>No such account in this identity store.</p>}
      {account && (
        <>
          <h1 id="account-title">{fullName(account)}</h1>
          <Overview account={account} />
          <AccountActions account={account} store={store} />
          <AccountTabs account={account} store={store} tabId={tab} />
        </>
      )}
    </section>
  );
}

function Overview({ account }: { account: ConsoleAccountOverviewFragment }) {
  return (
    <dl class="overview" aria-label="Overview">
      <dt>Status</dt>
      <dd>
        <StatusLabel labels={account.labels} /> <ExternalIdentityLabel labels={account.labels} />
      </dd>
      <dt>Emails</dt>
      <dd>
        {account.emails.length === 0 && "—"}
        <ul class="plain">
          {account.emails.map((email) => (
            <li key={email.address}>
              {email.address} {email.primary && <span class="label">Primary</span>}{" "}
              <EmailLabel labels={[email.verified ? "EMAIL_VERIFIED" : "EMAIL_UNVERIFIED"]} />
            </li>
          ))}
        </ul>
      </dd>
      <dt>UID</dt>
      <dd>
        <code>{account.uid}</code>
      </dd>
      <dt>Created</dt>
      <dd>{formatDate(account.createdAt)}</dd>
    </dl>
  );
}
