import { useClient, useMutation } from "@urql/preact";
import { useEffect, useState } from "preact/hooks";
import { ConsoleBulkJobDocument, ConsoleCancelBulkJobDocument, type ConsoleBulkJobFragment } from "../../generated/graphql.ts";
import { counters, isFinished, JOB_STATUS } from "./actions.ts";

// How often a running job is asked for its counters (one small read by id).
const POLL_MS = 500;

interface Props {
  job: ConsoleBulkJobFragment;
  label: string;
  /** Once, when the job has ended (completed, failed or cancelled). */
  onFinished: () => void;
}

/** A bulk job's live progress (polling bulkJob), with cancel while it runs. */
export function JobProgress({ job: started, label, onFinished }: Props) {
  const client = useClient();
  const [job, setJob] = useState(started);
  const [failure, setFailure] = useState<string | null>(null);
  const [{ fetching: cancelling }, cancel] = useMutation(ConsoleCancelBulkJobDocument);
  const finished = isFinished(job.status);
  useEffect(() => {
    if (finished) {
      onFinished();
      return;
    }
    let gone = false;
    const timer = setTimeout(async () => {
      const result = await client.query(ConsoleBulkJobDocument, { id: job.id }, { requestPolicy: "network-only" }).toPromise();
      if (gone) return;
      if (result.data?.bulkJob) setJob(result.data.bulkJob);
      else setFailure(result.error?.message ?? "The job is no longer there.");
    }, POLL_MS);
    return () => {
      gone = true;
      clearTimeout(timer);
    };
    // Each answer (a new job object) schedules the next ask; onFinished is the parent's and may change identity.
  }, [job]);
  const stop = async () => {
    const result = await cancel({ id: job.id });
    const answer = result.data?.cancelBulkJob;
    if (answer?.__typename === "CancelBulkJobPayload") setJob(answer.job);
    else setFailure(result.error?.message ?? (answer && "message" in answer ? answer.message : "The job could not be cancelled."));
  };
  return (
    <div class="job">
      <p role="status">
        {`${label}: ${job.processed} of ${job.total} processed (${JOB_STATUS[job.status] ?? job.status})`}
        {finished && ` — ${counters(job)}.`}
      </p>
      <progress max={Math.max(job.total, 1)} value={job.processed} aria-label={`${label} progress`} />
      {!finished && (
        <button type="button" class="secondary" disabled={cancelling} onClick={stop}>
          Cancel job
        </button>
      )}
      {(failure ?? job.error) && (
        <p class="error" role="alert">
          {failure ?? job.error}
        </p>
      )}
    </div>
  );
}
