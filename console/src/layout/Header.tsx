import { Link, useRoute } from "wouter-preact";
import { SCREENS } from "./screens.ts";
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
      {store && (
        <nav aria-label="Screens">
          {SCREENS.map((screen) => (
            <NavLink key={screen.path} href={screen.path} label={screen.label} />
          ))}
        </nav>
      )}
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
      <Link href="/me" class="member" title="Your password and authenticator app">
        {session.member.name}
      </Link>
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}

/** A header link that says (aria-current) when its screen is the one shown. */
function NavLink({ href, label }: { href: string; label: string }) {
  const [active] = useRoute(href);
  return (
    <Link href={href} aria-current={active ? "page" : undefined}>
      {label}
    </Link>
  );
}
