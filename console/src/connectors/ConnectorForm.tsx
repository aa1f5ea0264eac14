import { useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleAuditEventTypesDocument, type InflowAuth, type RetryBackoff } from "../generated/graphql.ts";
import { QueryError } from "../shared/OutcomeLine.tsx";
import type { ConnectorFormValues } from "./form-values.ts";
import { TriggerPicker } from "./TriggerPicker.tsx";

interface Props {
  initial: ConnectorFormValues;
  /** Direction is chosen at creation only. */
  creating: boolean;
  submitLabel: string;
  /** Whether the member may save (CONNECTORS_MANAGE): the form is shown disabled otherwise. */
  allowed: boolean;
  onSubmit: (values: ConnectorFormValues) => Promise<void>;
}

/** A connector's settings: those of its direction only (outflow: target, triggers, expressions, retries; inflow: authentication, matching). */
export function ConnectorForm({ initial, creating, submitLabel, allowed, onSubmit }: Props) {
  const [values, setValues] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [{ data, error }] = useQuery({ query: ConsoleAuditEventTypesDocument });
  const set =
    <K extends keyof ConnectorFormValues>(key: K) =>
    (value: ConnectorFormValues[K]) =>
      setValues({ ...values, [key]: value });
  const text = (key: keyof ConnectorFormValues) => ({
    value: values[key] as string,
    onInput: (e: { currentTarget: { value: string } }) => set(key)(e.currentTarget.value),
  });
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    await onSubmit(values);
    setBusy(false);
  };
  const outflow = values.direction === "OUTFLOW";
  return (
    <form class="form" onSubmit={submit}>
      <fieldset disabled={!allowed}>
        <label>
          Name
          <input required maxLength={100} {...text("name")} />
        </label>
        {creating && (
          <label>
            Direction
            <select value={values.direction} onChange={(e) => set("direction")(e.currentTarget.value as ConnectorFormValues["direction"])}>
              <option value="OUTFLOW">Outflow: sends events to a URL</option>
              <option value="INFLOW">Inflow: receives records at the gateway</option>
            </select>
          </label>
        )}
        {outflow ? <OutflowFields values={values} text={text} set={set} /> : <InflowFields values={values} text={text} set={set} />}
        {outflow && (
          <>
            <QueryError error={error} />
            <TriggerPicker
              types={data?.auditEventTypes ?? []}
              chosen={values.events}
              onChange={set("events")}
              wildcards={values.wildcards}
              onWildcards={set("wildcards")}
            />
          </>
        )}
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
      </fieldset>
    </form>
  );
}

interface FieldProps {
  values: ConnectorFormValues;
  text: (key: keyof ConnectorFormValues) => { value: string; onInput: (e: { currentTarget: { value: string } }) => void };
  set: <K extends keyof ConnectorFormValues>(key: K) => (value: ConnectorFormValues[K]) => void;
}

function OutflowFields({ values, text, set }: FieldProps) {
  return (
    <>
      <label>
        URL
        <input type="url" required {...text("url")} />
      </label>
      <div class="row">
        <label>
          Attempts (1–20)
          <input type="number" min={1} max={20} {...text("maxAttempts")} />
        </label>
        <label>
          Retry interval (ms)
          <input type="number" min={1} {...text("retryIntervalMs")} />
        </label>
        <label>
          Backoff
          <select value={values.backoff} onChange={(e) => set("backoff")(e.currentTarget.value as RetryBackoff)}>
            <option value="FIXED">Fixed</option>
            <option value="EXPONENTIAL">Exponential</option>
          </select>
        </label>
        <label>
          Timeout (ms)
          <input type="number" min={100} max={30000} {...text("timeoutMs")} />
        </label>
        <label>
          Deactivate after failures in a row
          <input type="number" min={1} max={10000} {...text("disableAfterFailures")} />
        </label>
      </div>
      <label>
        Rule (JSONata on event and customer; sent only when it holds)
        <textarea rows={2} {...text("rule")} />
      </label>
      <label>
        Mapping (JSONata: input → request body)
        <textarea rows={3} {...text("mapping")} />
      </label>
      <label>
        Before the rule (JSONata: input → input)
        <textarea rows={2} {...text("preEvent")} />
      </label>
      <label>
        Write-back (JSONata on response, event and customer → customer changes)
        <textarea rows={2} {...text("postEvent")} />
      </label>
    </>
  );
}

function InflowFields({ values, text, set }: FieldProps) {
  return (
    <>
      <label>
        Authentication
        <select value={values.inflowAuth} onChange={(e) => set("inflowAuth")(e.currentTarget.value as InflowAuth)}>
          <option value="SIGNATURE">Standard Webhooks signature</option>
          <option value="BEARER">Bearer token (the secret)</option>
        </select>
      </label>
      <label>
        Match by (uid, email or a custom field key)
        <input {...text("matchBy")} />
      </label>
      <label>
        Mapping (JSONata: posted body → customer record)
        <textarea rows={3} {...text("mapping")} />
      </label>
    </>
  );
}
