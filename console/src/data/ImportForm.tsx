import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { useLocation } from "wouter-preact";
import { outcomeOf, type Outcome } from "../accounts/outcome.ts";
import { ConsoleStartImportDocument } from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { allows } from "../session/store-choice.ts";
import { OutcomeLine } from "../shared/OutcomeLine.tsx";
import { DEFAULT_OPTIONS, importInput, ImportOptionsFields, type ImportOptions } from "./ImportOptions.tsx";
import { importPath } from "./paths.ts";

/** Uploads a CSV, JSON or NDJSON file (a GraphQL multipart request) and opens the import's progress. CUSTOMERS_WRITE. */
export function ImportForm({ store }: { store: ConsoleStore }) {
  const [file, setFile] = useState<File | null>(null);
  const [options, setOptions] = useState<ImportOptions>(DEFAULT_OPTIONS);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ fetching }, start] = useMutation(ConsoleStartImportDocument);
  const [, navigate] = useLocation();
  const allowed = allows(store, "CUSTOMERS_WRITE");

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) return setOutcome({ ok: false, message: "Choose a file to import." });
    const { input, problem } = importInput(file, options);
    if (!input) return setOutcome({ ok: false, message: problem! });
    setOutcome(null);
    let jobId = "";
    const result = outcomeOf(await start({ input }, { additionalTypenames: ["ImportJob"] }), (p: { job: { id: string } }) => {
      jobId = p.job.id;
      return "Started.";
    });
    if (result.ok) navigate(importPath(jobId));
    else setOutcome(result);
  };

  return (
    <section aria-labelledby="import-title">
      <h2 id="import-title">Import customers</h2>
      <form class="form" onSubmit={submit}>
        <fieldset disabled={!allowed}>
          <label>
            File (CSV, JSON or NDJSON)
            <input type="file" accept=".csv,.json,.ndjson,.jsonl" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
          </label>
          <ImportOptionsFields options={options} set={(next) => setOptions({ ...options, ...next })} />
          <button type="submit" disabled={fetching}>
            Start import
          </button>
        </fieldset>
      </form>
      {!allowed && <p class="hint">Your role in this identity store does not allow importing customers (CUSTOMERS_WRITE).</p>}
      <OutcomeLine outcome={outcome} />
    </section>
  );
}
