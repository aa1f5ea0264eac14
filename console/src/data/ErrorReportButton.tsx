import { useState } from "preact/hooks";
import { saveFile } from "../accounts/download.ts";
import type { ConsoleStore } from "../session/api.ts";

interface Props {
  /** ImportJob.errorReportUrl: every rejected row with its problems, as CSV. */
  url: string;
  fileName: string;
  store: ConsoleStore;
  csrfToken: string;
}

/**
 * Downloads an import's whole error report (the page lists the first rows only). Fetched with the
 * console's headers, as a GraphQL request is (a plain link would carry the cookie alone, which
 * authorizes nothing), then handed to the browser as a file.
 */
export function ErrorReportButton({ url, fileName, store, csrfToken }: Props) {
  const [failure, setFailure] = useState<string | null>(null);
  const download = async () => {
    setFailure(null);
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { "x-csrf-token": csrfToken, "x-console-store": store.keyId },
    });
    if (response.ok) saveFile(await response.text(), "text/csv", fileName);
    else setFailure(`The error report could not be downloaded (HTTP ${response.status}).`);
  };
  return (
    <p>
      <button type="button" onClick={download}>
        Download every rejected row (CSV)
      </button>
      {failure && (
        <span class="error" role="alert">
          {" "}
          {failure}
        </span>
      )}
    </p>
  );
}
