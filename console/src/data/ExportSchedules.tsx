import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { formatDate } from "../accounts/labels.tsx";
import { outcomeOf, type Outcome } from "../accounts/outcome.ts";
import {
  ConsoleDeleteExportScheduleDocument,
  ConsoleExportSchedulesDocument,
  ConsoleRunExportScheduleNowDocument,
  type ConsoleExportFileFragment,
  type ConsoleExportSchedulesQuery,
} from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { allows } from "../session/store-choice.ts";
import { OutcomeLine, QueryError } from "../shared/OutcomeLine.tsx";
import { Pager, useCursorTrail } from "../shared/Pager.tsx";
import { ScheduleForm } from "./ScheduleForm.tsx";

const PAGE_SIZE = 10;
type Schedule = ConsoleExportSchedulesQuery["exportSchedules"]["edges"][number]["node"];

/**
 * Export schedules with their latest files: listed with CUSTOMERS_READ or TENANT_ADMIN, managed
 * (create, run now, delete) with TENANT_ADMIN; download links need CUSTOMERS_READ.
 */
export function ExportSchedules({ store }: { store: ConsoleStore }) {
  const withLinks = allows(store, "CUSTOMERS_READ");
  const mayManage = allows(store, "TENANT_ADMIN");
  const trail = useCursorTrail();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ data, error }, reexecute] = useQuery({
    query: ConsoleExportSchedulesDocument,
    variables: { first: PAGE_SIZE, after: trail.after, withLinks },
    requestPolicy: "cache-and-network",
    pause: !withLinks && !mayManage,
  });
  const [running, runNow] = useMutation(ConsoleRunExportScheduleNowDocument);
  const [deleting, remove] = useMutation(ConsoleDeleteExportScheduleDocument);
  if (!withLinks && !mayManage) return null;
  const refresh = () => reexecute({ requestPolicy: "network-only" });
  const run = async (s: Schedule) => {
    setOutcome(null);
    setOutcome(
      outcomeOf(await runNow({ id: s.id, withLinks }), (p: { exportFile: ConsoleExportFileFragment }) => fileMessage(s, p.exportFile)),
    );
    refresh();
  };
  const drop = async (s: Schedule) => {
    setOutcome(null);
    setOutcome(outcomeOf(await remove({ id: s.id }, { additionalTypenames: ["ExportSchedule"] }), () => `Deleted ${s.name}.`));
    refresh();
  };
  const page = data?.exportSchedules;
  return (
    <section aria-labelledby="schedules-title">
      <h2 id="schedules-title">Export schedules</h2>
      <QueryError error={error} />
      <OutcomeLine outcome={outcome} />
      {page && page.edges.length === 0 && <p>No export schedule yet.</p>}
      {page && page.edges.length > 0 && (
        <ScheduleTable
          rows={page.edges.map((edge) => edge.node)}
          disabled={!mayManage || running.fetching || deleting.fetching}
          onRun={run}
          onDelete={drop}
        />
      )}
      <Pager trail={trail} pageInfo={page?.pageInfo} label="Schedule pages" />
      <ScheduleForm allowed={mayManage} onCreated={refresh} />
      {!mayManage && <p class="hint">Your role in this identity store does not allow managing export schedules (TENANT_ADMIN).</p>}
    </section>
  );
}

const fileMessage = (s: Schedule, file: ConsoleExportFileFragment) =>
  file.status === "COMPLETED"
    ? `${s.name}: ${file.fileName} written, ${file.rows ?? 0} rows.`
    : `${s.name}: the run failed: ${file.error ?? file.status}.`;

interface TableProps {
  rows: Schedule[];
  disabled: boolean;
  onRun: (s: Schedule) => void;
  onDelete: (s: Schedule) => void;
}

function ScheduleTable({ rows, disabled, onRun, onDelete }: TableProps) {
  return (
    <table class="events">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">When</th>
          <th scope="col">Format</th>
          <th scope="col">Next run</th>
          <th scope="col">Latest files</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((s) => (
          <tr key={s.id}>
            <td>
              {s.name} {!s.active && <span class="label">Paused</span>}
            </td>
            <td>
              <code>{s.cron}</code> ({s.timeZone})
            </td>
            <td>
              {s.format}, {s.keep} kept
            </td>
            <td>{s.nextRunAt ? formatDate(s.nextRunAt) : "—"}</td>
            <td>
              <ul class="plain">
                {s.files.edges.map(({ node: f }) => (
                  <li key={f.id}>
                    {f.downloadUrl ? <a href={f.downloadUrl}>{f.fileName}</a> : f.fileName} ({f.status.toLowerCase()}
                    {f.rows !== null && f.rows !== undefined ? `, ${f.rows} rows` : ""})
                  </li>
                ))}
              </ul>
            </td>
            <td class="buttons">
              <button type="button" disabled={disabled} onClick={() => onRun(s)} aria-label={`Run ${s.name} now`}>
                Run now
              </button>
              <button type="button" class="destructive" disabled={disabled} onClick={() => onDelete(s)} aria-label={`Delete ${s.name}`}>
                Delete
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
