import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { formatDate } from "../accounts/labels.tsx";
import { outcomeOf, type Outcome } from "../accounts/outcome.ts";
import {
  ConsoleCreateExportDocument,
  ConsoleSegmentsDocument,
  type CreateCustomerExportInput,
  type CustomerExportFormat,
  type CustomerExportLink,
  type CustomerStatus,
} from "../generated/graphql.ts";
import { OutcomeLine, QueryError } from "../shared/OutcomeLine.tsx";

interface Choice {
  format: CustomerExportFormat;
  segmentId: string;
  status: CustomerStatus | "";
}

/** The choice as createCustomerExport's input: every customer, or those of a segment and/or a status. */
function inputOf({ format, segmentId, status }: Choice): CreateCustomerExportInput {
  if (!segmentId && !status) return { format };
  return { format, selection: { segmentId: segmentId || undefined, filter: status ? { status: [status] } : undefined } };
}

/**
 * Creates an export and shows its download link: a plain link to GET /exports/<sealed link> on
 * the gateway (same origin, no headers), which the browser downloads as a file. Valid 10 minutes.
 * CUSTOMERS_READ, which the whole section needs.
 */
export function ExportForm() {
  const [choice, setChoice] = useState<Choice>({ format: "CSV", segmentId: "", status: "" });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [link, setLink] = useState<CustomerExportLink | null>(null);
  const [segments] = useQuery({ query: ConsoleSegmentsDocument });
  const [{ fetching }, create] = useMutation(ConsoleCreateExportDocument);
  const set = (next: Partial<Choice>) => setChoice({ ...choice, ...next });
  const submit = async (event: Event) => {
    event.preventDefault();
    setLink(null);
    setOutcome(
      outcomeOf(await create({ input: inputOf(choice) }), (p: { export: CustomerExportLink }) => {
        setLink(p.export);
        return "The export is ready to download.";
      }),
    );
  };
  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">Export customers</h2>
      <form class="search" onSubmit={submit}>
        <ChoiceFields choice={choice} set={set} segments={segments.data?.segments.edges.map((edge) => edge.node) ?? []} />
        <button type="submit" disabled={fetching}>
          Create export
        </button>
      </form>
      <QueryError error={segments.error} />
      <OutcomeLine outcome={outcome} />
      {link && (
        <p>
          <a href={link.url} download>
            Download the export ({link.format})
          </a>{" "}
          <span class="hint">Valid for 10 minutes, until {formatDate(link.expiresAt)}.</span>
        </p>
      )}
    </section>
  );
}

interface FieldProps {
  choice: Choice;
  set: (next: Partial<Choice>) => void;
  segments: { id: string; name: string }[];
}

function ChoiceFields({ choice, set, segments }: FieldProps) {
  return (
    <>
      <label>
        Export format
        <select value={choice.format} onChange={(e) => set({ format: e.currentTarget.value as CustomerExportFormat })}>
          <option value="CSV">CSV</option>
          <option value="JSON">JSON</option>
          <option value="NDJSON">NDJSON</option>
        </select>
      </label>
      <label>
        Segment
        <select value={choice.segmentId} onChange={(e) => set({ segmentId: e.currentTarget.value })}>
          <option value="">Every customer</option>
          {segments.map((node) => (
            <option key={node.id} value={node.id}>
              {node.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Status
        <select value={choice.status} onChange={(e) => set({ status: e.currentTarget.value as Choice["status"] })}>
          <option value="">Any</option>
          <option value="ACTIVE">Enabled</option>
          <option value="DISABLED">Disabled</option>
          <option value="BLOCKED">Blocked</option>
        </select>
      </label>
    </>
  );
}
