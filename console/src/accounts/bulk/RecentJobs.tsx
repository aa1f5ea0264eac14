import { useQuery } from "@urql/preact";
import { useEffect } from "preact/hooks";
import { ConsoleBulkJobsDocument } from "../../generated/graphql.ts";
import { formatDate } from "../labels.tsx";
import { counters, JOB_STATUS, quickAction } from "./actions.ts";
import { QueryError } from "../../shared/OutcomeLine.tsx";

interface Props {
  /** Changes when a job or action ended: the list asks again. */
  refresh: number;
}

/** The store's last five bulk jobs (bulkJobs needs CUSTOMERS_WRITE: shown only to members who may run them). */
export function RecentJobs({ refresh }: Props) {
  const [{ data, error }, reexecute] = useQuery({ query: ConsoleBulkJobsDocument });
  useEffect(() => {
    if (refresh > 0) reexecute({ requestPolicy: "network-only" });
  }, [refresh]);
  const jobs = data?.bulkJobs.edges.map((edge) => edge.node) ?? [];
  return (
    <section class="recent-jobs" aria-labelledby="recent-jobs-title">
      <h2 id="recent-jobs-title">Recent bulk jobs</h2>
      <QueryError error={error} />
      {data && jobs.length === 0 && <p class="hint">No bulk job yet.</p>}
      {jobs.length > 0 && (
        <table class="accounts jobs">
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">Status</th>
              <th scope="col">Processed</th>
              <th scope="col">Outcome</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr key={job.id}>
                <td>{quickAction(job.action)?.label ?? job.action}</td>
                <td>{JOB_STATUS[job.status] ?? job.status}</td>
                <td>{`${job.processed} of ${job.total}`}</td>
                <td>{counters(job)}</td>
                <td>{formatDate(job.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
