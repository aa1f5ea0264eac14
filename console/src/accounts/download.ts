/**
 * Hands a document to the browser as a file download: a Blob behind an object URL, clicked on a
 * detached link. Nothing leaves the page (CSP's connect-src does not apply to blob: downloads).
 */
export function saveFile(content: string, contentType: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: contentType }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  // The click starts the download synchronously; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
