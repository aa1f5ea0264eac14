import { useQuery } from "@urql/preact";
import { Link } from "wouter-preact";
import { formatDate } from "../accounts/labels.tsx";
import { ConsoleImportJobsDocument } from "../generated/graphql.ts";
import { QueryError } from "../shared/OutcomeLine.tsx";
import { Pager, useCursorTrail } from "../shared/Pager.tsx";
import { JobStatusLabel } from "./JobStatusLabel.tsx";
import { importPath } from "./paths.ts";

const PAGE_SIZE = 10;

/** The store's imports, newest first; each opens its progress page. */
export function ImportList() {
  const trail = useCursorTrail();
  const [{ data, error }] = useQuery({
    query: ConsoleImportJobsDocument,
    variables: { first: PAGE_SIZE, after: trail.after },
    requestPolicy: "cache-and-network",
  });
  const page = data?.importJobs;
  return (
    <section aria-labelledby="imports-title">
      <h2 id="imports-title">Past imports</h2>
      <QueryError error={error} />
      {page && page.edges.length === 0 && <p>No import yet.</p>}
      {page && page.edges.length > 0 && (
        <table class="events">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Rows read</th>
              <th scope="col">Imported</th>
              <th scope="col">Updated</th>
              <th scope="col">Errors</th>
            </tr>
          </thead>
          <tbody>
            {page.edges.map(({ node: job }) => (
              <tr key={job.id}>
                <td>
                  <Link href={importPath(job.id)}>{job.fileName}</Link>
                </td>
                <td>
                  <JobStatusLabel status={job.status} />
                </td>
                <td>{formatDate(job.createdAt)}</td>
                <td>{job.rowsRead}</td>
                <td>{job.imported}</td>
                <td>{job.updated}</td>
                <td>{job.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager trail={trail} pageInfo={page?.pageInfo} label="Import pages" />
    </section>
  );
}
