import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { outcomeOf, type Outcome } from "../accounts/outcome.ts";
import { ConsoleCreateExportScheduleDocument, type CustomerExportFormat } from "../generated/graphql.ts";
import { OutcomeLine } from "../shared/OutcomeLine.tsx";

/** A new export schedule (every customer, the default fields): name, cron, time zone, format, files kept. TENANT_ADMIN. */
export function ScheduleForm({ allowed, onCreated }: { allowed: boolean; onCreated: () => void }) {
  const [name, setName] = useState("");
  const [cron, setCron] = useState("@daily");
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [format, setFormat] = useState<CustomerExportFormat>("CSV");
  const [keep, setKeep] = useState("7");
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ fetching }, create] = useMutation(ConsoleCreateExportScheduleDocument);
  const submit = async (event: Event) => {
    event.preventDefault();
    const input = { name: name.trim(), cron: cron.trim(), timeZone: timeZone.trim(), format, keep: Number(keep) || undefined };
    const result = outcomeOf(await create({ input }, { additionalTypenames: ["ExportSchedule"] }), () => `Scheduled ${input.name}.`);
    setOutcome(result);
    if (result.ok) {
      setName("");
      onCreated();
    }
  };
  return (
    <form class="form" onSubmit={submit} aria-label="New export schedule">
      <fieldset disabled={!allowed}>
        <legend>New schedule</legend>
        <div class="row">
          <label>
            Schedule name
            <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            Cron (minute hour day month weekday, or @daily)
            <input required value={cron} onInput={(e) => setCron(e.currentTarget.value)} />
          </label>
          <label>
            Time zone
            <input required value={timeZone} onInput={(e) => setTimeZone(e.currentTarget.value)} />
          </label>
          <label>
            Schedule format
            <select value={format} onChange={(e) => setFormat(e.currentTarget.value as CustomerExportFormat)}>
              <option value="CSV">CSV</option>
              <option value="JSON">JSON</option>
              <option value="NDJSON">NDJSON</option>
            </select>
          </label>
          <label>
            Files kept
            <input type="number" min={1} value={keep} onInput={(e) => setKeep(e.currentTarget.value)} />
          </label>
        </div>
        <button type="submit" disabled={fetching}>
          Create schedule
        </button>
      </fieldset>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}
