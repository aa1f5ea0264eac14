import { useMutation } from "@urql/preact";
import {
  ConsoleRemoveAuthenticatorDocument,
  ConsoleResetRecoveryCodesDocument,
  ConsoleUnlinkIdentityDocument,
  type ConsoleAuthenticatorFragment,
} from "../../../generated/graphql.ts";
import { outcomeOf, type Outcome } from "../../outcome.ts";
import { ConfirmButton } from "../ConfirmButton.tsx";
import type { Application } from "../notify/ApplicationChoice.tsx";
import { useSendPasswordReset } from "../notify/password-reset.ts";

export interface AuthenticatorActionProps {
  customerId: string;
  authenticator: ConsoleAuthenticatorFragment;
  /** The customer's identities: an external authenticator is unlinked by its Identity ID. */
  identities: readonly { id: string; provider: string; providerUserId: string }[];
  /** Told about the change (and sent the reset) through this application; null: nobody is told. */
  application: Application | null;
  allowed: boolean;
  run: (action: () => Promise<Outcome>) => Promise<boolean>;
}

/** The one thing staff may do to an authenticator of this kind (emails and phones are changed as contacts). */
export function AuthenticatorAction({ customerId, authenticator: a, identities, application, allowed, run }: AuthenticatorActionProps) {
  const sendReset = useSendPasswordReset();
  const [, remove] = useMutation(ConsoleRemoveAuthenticatorDocument);
  const [, resetCodes] = useMutation(ConsoleResetRecoveryCodesDocument);
  const notify = application ? { application: application.id } : null;

  switch (a.__typename) {
    case "PasswordAuthenticator":
      return (
        <button type="button" disabled={!allowed} onClick={() => run(() => sendReset(customerId, application))}>
          Send password reset
        </button>
      );
    case "TotpAuthenticator":
      return (
        <ConfirmButton
          label="Remove"
          question={`Remove the authenticator app “${a.label}”? Sign-in no longer asks for it.`}
          confirmLabel="Remove the app"
          disabled={!allowed}
          onConfirm={() =>
            run(async () => outcomeOf(await remove({ customerId, authenticatorId: a.id, notify }), () => `Removed the app “${a.label}”.`))
          }
        />
      );
    case "RecoveryCodesAuthenticator":
      return (
        <ConfirmButton
          label="Reset recovery codes"
          question="Revoke the unused recovery codes? The customer makes new ones themself."
          confirmLabel="Revoke the codes"
          disabled={!allowed}
          onConfirm={() => run(async () => outcomeOf(await resetCodes({ customerId, notify }), () => "Recovery codes revoked."))}
        />
      );
    case "ExternalAuthenticator":
      return <Unlink customerId={customerId} authenticator={a} identities={identities} allowed={allowed} run={run} />;
    default:
      return null;
  }
}

type External = Extract<ConsoleAuthenticatorFragment, { __typename: "ExternalAuthenticator" }>;

interface UnlinkProps extends Pick<AuthenticatorActionProps, "customerId" | "identities" | "allowed" | "run"> {
  authenticator: External;
}

/** Unlinking is allowed while another identity remains (the API refuses the last one: LAST_SIGN_IN_METHOD). */
function Unlink({ customerId, authenticator: a, identities, allowed, run }: UnlinkProps) {
  const [, unlink] = useMutation(ConsoleUnlinkIdentityDocument);
  const identity = identities.find((i) => i.provider === a.provider && i.providerUserId === a.providerUserId);
  if (!identity) return null;
  if (identities.length < 2) return <span class="hint">The last identity: link another before unlinking it.</span>;
  return (
    <ConfirmButton
      label="Unlink"
      question={`Unlink ${a.provider} (${a.providerUserId})? The customer can no longer sign in with it.`}
      confirmLabel="Unlink the identity"
      disabled={!allowed}
      onConfirm={() => run(async () => outcomeOf(await unlink({ customerId, identityId: identity.id }), () => `Unlinked ${a.provider}.`))}
    />
  );
}
