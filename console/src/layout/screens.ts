import type { ComponentType } from "preact";
import { AccountList } from "../accounts/AccountList.tsx";
import { ConnectorsScreen } from "../connectors/ConnectorsScreen.tsx";
import { DataScreen } from "../data/DataScreen.tsx";
import { LiveFeed } from "../live/LiveFeed.tsx";
import { TeamLog } from "../team-log/TeamLog.tsx";
import type { ConsoleSession, ConsoleStore } from "../session/api.ts";

/** What every screen of a store gets: the store it acts in (its scopes) and who is signed in. */
export interface ScreenProps {
  store: ConsoleStore;
  session: ConsoleSession;
}

export interface Screen {
  /** The route under /console; also the header's link. */
  path: string;
  /** The header's link text and the screen's name. */
  label: string;
  component: ComponentType<ScreenProps>;
  /** The screen has pages of its own under its path: it gets a nested router (its links and routes are relative to it). */
  nest?: boolean;
}

/** The console's screens, in the header's order; the first is where a store opens. */
export const SCREENS: Screen[] = [
  { path: "/", label: "Accounts", component: AccountList },
  { path: "/live", label: "Live feed", component: LiveFeed },
  { path: "/team-log", label: "Team log", component: TeamLog },
  { path: "/connectors", label: "Connectors", component: ConnectorsScreen, nest: true },
  { path: "/data", label: "Imports and exports", component: DataScreen, nest: true },
];
