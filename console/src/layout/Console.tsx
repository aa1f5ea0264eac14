import { Provider } from "@urql/preact";
import { useMemo, useState } from "preact/hooks";
import { Link, Route, Switch, useLocation } from "wouter-preact";
import { AccountPage } from "../accounts/AccountPage.tsx";
import { MemberPage } from "../member/MemberPage.tsx";
import { signOut, type ConsoleSession, type ConsoleStore } from "../session/api.ts";
import { storeClient } from "../session/client.ts";
import { rememberedStore, rememberStore } from "../session/store-choice.ts";
import { Header } from "./Header.tsx";
import { SCREENS } from "./screens.ts";

interface Props {
  session: ConsoleSession;
  onSignedOut: () => void;
  /** The member's own page changed the session (turned an authenticator app on or off). */
  onSessionChanged: (session: ConsoleSession) => void;
}

/** The signed-in console: the header, and the chosen store's screens (routes under the /console base). */
export function Console({ session, onSignedOut, onSessionChanged }: Props) {
  const [store, setStore] = useState(() => rememberedStore(session));
  const client = useMemo(() => store && storeClient(session.csrfToken, store, onSignedOut), [session.csrfToken, store, onSignedOut]);
  const [, navigate] = useLocation();
  // An account page belongs to the store it was opened in: another store starts at its list.
  const choose = (next: ConsoleStore) => {
    rememberStore(next);
    setStore(next);
    navigate("/");
  };
  const leave = async () => {
    await signOut(session.csrfToken);
    onSignedOut();
  };
  return (
    <>
      <Header session={session} store={store} onChooseStore={choose} onSignOut={leave} />
      <main>
        <Switch>
          <Route path="/me">
            <MemberPage session={session} onSessionChanged={onSessionChanged} />
          </Route>
          <Route>
            {store && client ? (
              <Provider value={client}>
                <Switch>
                  <Route path="/accounts/:id/:tab?">
                    {(params) => <AccountPage key={params.id} id={params.id} tab={params.tab} store={store} />}
                  </Route>
                  {SCREENS.map(({ path, component: Screen, nest }) => (
                    <Route key={path} path={path} nest={nest}>
                      <Screen key={store.keyId} store={store} session={session} />
                    </Route>
                  ))}
                  <Route>
                    <p>
                      No such page. <Link href="/">Back to the accounts</Link>
                    </p>
                  </Route>
                </Switch>
              </Provider>
            ) : (
              <p>You hold no identity store. Ask an administrator to give you access to one.</p>
            )}
          </Route>
        </Switch>
      </main>
    </>
  );
}
