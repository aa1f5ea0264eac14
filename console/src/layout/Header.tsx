import { Link } from "wouter-preact";
import type { ConsoleSession, ConsoleStore } from "../session/api.ts";

interface Props {
  session: ConsoleSession;
  store: ConsoleStore | undefined;
  onChooseStore: (store: ConsoleStore) => void;
  onSignOut: () => void;
}

export function Header({ session, store, onChooseStore, onSignOut }: Props) {
  return (
    <header class="top">
      <Link href="/" class="brand">
        Admin console
      </Link>
      {session.stores.length > 0 && (
        <label class="store">
          Identity store
          <select value={store?.keyId} onChange={(e) => onChooseStore(session.stores.find((s) => s.keyId === e.currentTarget.value)!)}>
            {session.stores.map((s) => (
              <option key={s.keyId} value={s.keyId}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <span class="member">{session.member.name}</span>
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}
