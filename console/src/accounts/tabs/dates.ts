import { formatDate } from "../labels.tsx";

/** A date the API may not have (never used, not sent yet): "—" then. */
export const dateOrDash = (iso: string | null | undefined) => (iso ? formatDate(iso) : "—");
