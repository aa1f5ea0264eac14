import { useEffect, useState } from "preact/hooks";
import { Router } from "wouter-preact";
import { Console } from "./layout/Console.tsx";
import { currentSession, type ConsoleSession } from "./session/api.ts";
import { SignIn } from "./session/SignIn.tsx";

/** Asks whether the session cookie still holds, then shows the sign-in or the console. */
export function App() {
  // undefined: still asking.
  const [session, setSession] = useState<ConsoleSession | null | undefined>(undefined);
  useEffect(() => {
    currentSession().then(setSession, () => setSession(null));
  }, []);
  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={setSession} />;
  return (
    <Router base="/console">
      <Console session={session} onSignedOut={() => setSession(null)} onSessionChanged={setSession} />
    </Router>
  );
}
