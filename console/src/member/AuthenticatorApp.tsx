import QRCode from "qrcode";
import { useEffect, useState } from "preact/hooks";
import { CodeField } from "../session/SignIn.tsx";
import { PasswordField } from "./PasswordField.tsx";
import { AccountError, confirmAuthenticatorApp, removeAuthenticatorApp, startAuthenticatorApp } from "../session/account-api.ts";
import type { ConsoleSession } from "../session/api.ts";

interface Props {
  session: ConsoleSession;
  onSessionChanged: (session: ConsoleSession) => void;
}

const failure = (error: unknown) => (error instanceof AccountError ? error.message : "The gateway could not be reached. Try again.");

/** The member's authenticator app: turn on (scan, confirm with a code) or off (with the password). */
export function AuthenticatorApp({ session, onSessionChanged }: Props) {
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const on = session.member.authenticatorApp;
  const act = async (work: () => Promise<string>) => {
    setMessage(null);
    try {
      setMessage({ ok: true, text: await work() });
    } catch (error) {
      setMessage({ ok: false, text: failure(error) });
    }
  };
  return (
    <section class="stacked" aria-labelledby="app-title">
      <h2 id="app-title">Authenticator app</h2>
      <p>{on ? "On: signing in asks for the code your app shows." : "Off: signing in asks for the password only."}</p>
      {!on && !enrolment && (
        <button
          type="button"
          onClick={() => act(async () => (setEnrolment(await startAuthenticatorApp(session.csrfToken)), "Scan the code with your app."))}
        >
          Turn on an authenticator app
        </button>
      )}
      {!on && enrolment && (
        <Enrol
          enrolment={enrolment}
          onConfirm={(code) =>
            act(async () => {
              onSessionChanged(await confirmAuthenticatorApp(session.csrfToken, code));
              setEnrolment(null);
              return "The authenticator app is on.";
            })
          }
        />
      )}
      {on && (
        <RemoveApp
          onRemove={(password) =>
            act(async () => {
              await removeAuthenticatorApp(session.csrfToken, password);
              onSessionChanged({ ...session, member: { ...session.member, authenticatorApp: false } });
              return "The authenticator app is off.";
            })
          }
        />
      )}
      {message && (
        <p class={message.ok ? "done" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
    </section>
  );
}

/** The QR code (drawn here from the otpauth:// URI, as SVG: no image is fetched) and the secret to type in, then the first code. */
function Enrol({ enrolment, onConfirm }: { enrolment: { secret: string; uri: string }; onConfirm: (code: string) => void }) {
  const [svg, setSvg] = useState("");
  const [code, setCode] = useState("");
  useEffect(() => {
    QRCode.toString(enrolment.uri, { type: "svg", margin: 1 }).then(setSvg, () => setSvg(""));
  }, [enrolment.uri]);
  return (
    <form
      class="stacked"
      onSubmit={(event) => {
        event.preventDefault();
        onConfirm(code);
      }}
    >
      {/* The library's own SVG markup of a URI we made: no user text reaches it unescaped. */}
      {svg && <div class="qr" role="img" aria-label="QR code for your authenticator app" dangerouslySetInnerHTML={{ __html: svg }} />}
      <p>
        Or type this key into the app: <code class="totp-key">{enrolment.secret}</code>
      </p>
      <CodeField id="enrol-code" code={code} onInput={setCode} />
      <button type="submit">Confirm</button>
    </form>
  );
}

function RemoveApp({ onRemove }: { onRemove: (password: string) => void }) {
  const [password, setPassword] = useState("");
  return (
    <form
      class="stacked"
      onSubmit={(event) => {
        event.preventDefault();
        onRemove(password);
        setPassword("");
      }}
    >
      <PasswordField id="remove-app-password" label="Your password, to turn the app off" value={password} onInput={setPassword} />
      <button type="submit">Turn the authenticator app off</button>
    </form>
  );
}
