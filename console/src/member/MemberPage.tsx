import type { ConsoleSession } from "../session/api.ts";
import { AuthenticatorApp } from "./AuthenticatorApp.tsx";
import { ChangePassword } from "./ChangePassword.tsx";

interface Props {
  session: ConsoleSession;
  onSessionChanged: (session: ConsoleSession) => void;
}

/** The signed-in member's own page: who they are, their stores and scopes, their password and authenticator app. */
export function MemberPage({ session, onSessionChanged }: Props) {
  const { member, stores } = session;
  return (
    <section aria-labelledby="member-title" class="member-page">
      <h1 id="member-title">{member.name}</h1>
      <p>{member.email}</p>
      <h2>Identity stores</h2>
      <ul>
        {stores.map((store) => (
          <li key={store.keyId}>
            {store.name}: {store.scopes.join(", ")}
          </li>
        ))}
      </ul>
      <ChangePassword csrfToken={session.csrfToken} />
      <AuthenticatorApp session={session} onSessionChanged={onSessionChanged} />
    </section>
  );
}
