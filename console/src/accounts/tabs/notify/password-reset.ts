import { useMutation } from "@urql/preact";
import { ConsoleSendPasswordResetDocument } from "../../../generated/graphql.ts";
import { formatDate } from "../../labels.tsx";
import { outcomeOf, type Outcome } from "../../outcome.ts";
import type { Application } from "./ApplicationChoice.tsx";

/**
 * Sends the customer a password reset. Through an application the token exists only in the
 * message the tenant's notifier sends (the API answers none); without one, the API answers the
 * token and it is shown once, for the member to hand over.
 */
export function useSendPasswordReset(): (customerId: string, application: Application | null) => Promise<Outcome> {
  const [, issue] = useMutation(ConsoleSendPasswordResetDocument);
  return async (customerId, application) =>
    outcomeOf(
      await issue({ customerId, notify: application ? { application: application.id } : null }),
      ({ issued }: { issued: { token?: string | null; expiresAt: string } }) =>
        application
          ? `Password reset sent through ${application.name} (valid until ${formatDate(issued.expiresAt)}).`
          : `Password reset token, valid until ${formatDate(issued.expiresAt)}; give it to the customer yourself: ${issued.token}`,
    );
}
