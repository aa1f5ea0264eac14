import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { formatDate } from "../accounts/labels.tsx";
import { outcomeOf, type Outcome } from "../accounts/outcome.ts";
import { ConsoleCancelImportDocument, ConsoleImportJobDocument, type ConsoleImportJobFragment } from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { allows } from "../session/store-choice.ts";
import { OutcomeLine, QueryError } from "../shared/OutcomeLine.tsx";
import { usePolling } from "../shared/polling.ts";
import { ErrorReportButton } from "./ErrorReportButton.tsx";
import { isOpen, JobStatusLabel } from "./JobStatusLabel.tsx";

/** How many row errors the page lists (the job keeps the first 10,000). */
const ERROR_ROWS = 100;

/** One import as it runs: counters of committed batches (asked again every second until it ends), cancel, its rejected rows. */
export function ImportProgress({ id, store, csrfToken }: { id: string; store: ConsoleStore; csrfToken: string }) {
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: ConsoleImportJobDocument,
    variables: { id, errors: ERROR_ROWS },
    requestPolicy: "network-only",
  });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [cancelling, cancel] = useMutation(ConsoleCancelImportDocument);
  const job = data?.importJob;
  usePolling(!!job && isOpen(job.status), () => reexecute({ requestPolicy: "network-only" }));
  const stop = async () => setOutcome(outcomeOf(await cancel({ id }), () => "Cancelling after the current batch."));
  return (
    <section aria-labelledby="import-job-title">
      <p>
        <Link href="/">← Imports and exports</Link>
      </p>
      <QueryError error={error} />
      {!job && !fetching && !error && <p>No such import in this identity store.</p>}
      {job && (
        <>
          <h1 id="import-job-title">Import of {job.fileName}</h1>
          <Counters job={job} />
          {isOpen(job.status) && (
            <button
              type="button"
              disabled={!allows(store, "CUSTOMERS_WRITE") || cancelling.fetching || !!job.cancelRequestedAt}
              onClick={stop}
            >
              Cancel import
            </button>
          )}
          <OutcomeLine outcome={outcome} />
          {job.error && (
            <p class="error" role="alert">
              The import failed: {job.error}
            </p>
          )}
          {job.warnings.length > 0 && (
            <ul aria-label="Warnings">
              {job.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          <RowErrors failed={job.failed} rows={job.errors.edges.map((edge) => edge.node)} />
          {job.failed > 0 && (
            <ErrorReportButton url={job.errorReportUrl} fileName={`${job.fileName}.errors.csv`} store={store} csrfToken={csrfToken} />
          )}
        </>
      )}
    </section>
  );
}

function Counters({ job }: { job: ConsoleImportJobFragment }) {
  const open = isOpen(job.status);
  return (
    <>
      <p role="status" aria-live="polite">
        <JobStatusLabel status={job.status} /> {job.rowsRead} rows read
        {open ? ` (${job.rowsPerSecond} a second)` : ""}, {job.failed} with errors.
      </p>
      {/* The file's row count is unknown until it has been read: indeterminate while running. */}
      <progress aria-label="Import progress" max={1} value={open ? undefined : 1} />
      <dl class="overview">
        <dt>Imported</dt>
        <dd>{job.imported}</dd>
        <dt>Updated</dt>
        <dd>{job.updated}</dd>
        <dt>Skipped</dt>
        <dd>{job.skipped}</dd>
        <dt>Errors</dt>
        <dd>{job.failed}</dd>
        <dt>Options</dt>
        <dd>
          {job.format}, {job.mode === "INSERT" ? "new customers only" : "insert and update"}, matched by{" "}
          {job.matchBy === "FIELD" ? job.matchField : job.matchBy.toLowerCase()}
          {job.dryRun ? ", dry run (nothing written)" : ""}
        </dd>
        <dt>Started</dt>
        <dd>{job.startedAt ? formatDate(job.startedAt) : "Queued"}</dd>
        <dt>Finished</dt>
        <dd>{job.finishedAt ? formatDate(job.finishedAt) : "—"}</dd>
      </dl>
    </>
  );
}

function RowErrors({ failed, rows }: { failed: number; rows: { row: number; field?: string | null; message: string }[] }) {
  if (rows.length === 0) return null;
  return (
    <table class="events row-errors">
      <caption>Rejected rows{failed > rows.length ? ` (the first ${rows.length} of ${failed})` : ""}</caption>
      <thead>
        <tr>
          <th scope="col">Row</th>
          <th scope="col">Field</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((e, index) => (
          <tr key={`${e.row}-${index}`}>
            <td>{e.row}</td>
            <td>{e.field ? <code>{e.field}</code> : "—"}</td>
            <td>{e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
