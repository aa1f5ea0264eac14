import { Route, Switch } from "wouter-preact";
import type { ScreenProps } from "../layout/screens.ts";
import { allows } from "../session/store-choice.ts";
import { ExportForm } from "./ExportForm.tsx";
import { ExportSchedules } from "./ExportSchedules.tsx";
import { ImportForm } from "./ImportForm.tsx";
import { ImportList } from "./ImportList.tsx";
import { ImportProgress } from "./ImportProgress.tsx";

/** /data (a nested router): imports (start one, past ones, one's progress at /imports/:id) and exports (a download, schedules). */
export function DataScreen({ store, session }: ScreenProps) {
  return (
    <Switch>
      <Route path="/">
        <h1>Imports and exports</h1>
        {allows(store, "CUSTOMERS_READ") ? (
          <>
            <ImportForm store={store} />
            <ImportList />
            <ExportForm />
          </>
        ) : (
          <p>Importing and exporting customers needs the CUSTOMERS_READ scope in this identity store.</p>
        )}
        <ExportSchedules store={store} />
      </Route>
      <Route path="/imports/:id">
        {(params) => <ImportProgress key={params.id} id={decodeURIComponent(params.id)} store={store} csrfToken={session.csrfToken} />}
      </Route>
    </Switch>
  );
}
