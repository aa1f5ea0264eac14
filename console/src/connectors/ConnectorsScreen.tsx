import { Route, Switch } from "wouter-preact";
import type { ScreenProps } from "../layout/screens.ts";
import { allows } from "../session/store-choice.ts";
import { ConnectorList } from "./ConnectorList.tsx";
import { ConnectorPage } from "./ConnectorPage.tsx";
import { CreateConnector, EditConnector } from "./ConnectorEditors.tsx";

/** /connectors (a nested router: the paths below are relative to it): the list, a new one, a connector's page and its settings form. */
export function ConnectorsScreen({ store }: ScreenProps) {
  if (!allows(store, "CONNECTORS_READ")) return <p>Reading connectors needs the CONNECTORS_READ scope in this identity store.</p>;
  return (
    <Switch>
      <Route path="/">
        <ConnectorList store={store} />
      </Route>
      <Route path="/new">
        <CreateConnector store={store} />
      </Route>
      <Route path="/:id/edit">{(params) => <EditConnector key={params.id} id={decodeURIComponent(params.id)} store={store} />}</Route>
      <Route path="/:id">{(params) => <ConnectorPage key={params.id} id={decodeURIComponent(params.id)} store={store} />}</Route>
    </Switch>
  );
}
