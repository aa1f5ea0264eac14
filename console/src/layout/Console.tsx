import { Provider } from "@urql/preact";
import { useMemo, useState } from "preact/hooks";
import { Route, Switch, useLocation } from "wouter-preact";
import { AccountList } from "../accounts/AccountList.tsx";
import { AccountPage } from "../accounts/AccountPage.tsx";
import { signOut, type ConsoleSession, type ConsoleStore } from "../session/api.ts";
import { storeClient } from "../session/client.ts";
import { rememberedStore, rememberStore } from "../session/store-choice.ts";
import { Header } from "./Header.tsx";

interface Props {
  session: ConsoleSession;
  onSignedOut: () => void;
}

/** The signed-in console: the header, and the chosen store's screens (routes under the /console base). */
export function Console({ session, onSignedOut }: Props) {
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
        {store && client ? (
          <Provider value={client}>
            <Switch>
              <Route path="/accounts/:id">{(params) => <AccountPage key={params.id} id={params.id} store={store} />}</Route>
              <Route>
                <AccountList key={store.keyId} />
              </Route>
            </Switch>
          </Provider>
        ) : (
          <p>You hold no identity store. Ask an administrator to give you access to one.</p>
        )}
      </main>
    </>
  );
}
