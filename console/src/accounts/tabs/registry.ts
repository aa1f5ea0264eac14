import type { ComponentType } from "preact";
import type { ConsoleAccountOverviewFragment } from "../../generated/graphql.ts";
import type { ConsoleStore } from "../../session/api.ts";
import { AccessTab } from "./access/AccessTab.tsx";
import { ActivityTab } from "./ActivityTab.tsx";
import { AttributesTab } from "./attributes/AttributesTab.tsx";
import { ConsentsTab } from "./consents/ConsentsTab.tsx";
import { CustomObjectsTab } from "./custom-objects/CustomObjectsTab.tsx";
import { SessionsTab } from "./sessions/SessionsTab.tsx";
import { AuthenticatorsTab } from "./authenticators/AuthenticatorsTab.tsx";
import { NotificationsTab } from "./notifications/NotificationsTab.tsx";
import { VerificationTab } from "./verification/VerificationTab.tsx";

/** What every tab of the account page gets: the account's overview and the store (its scopes). */
export interface TabProps {
  account: ConsoleAccountOverviewFragment;
  store: ConsoleStore;
}

export interface AccountTab {
  /** The tab's part of the URL: /accounts/<id>/<id>. */
  id: string;
  label: string;
  component: ComponentType<TabProps>;
}

/** The account page's tabs, in order; the first opens with the page. Each tab loads its own data when shown. */
export const ACCOUNT_TABS: AccountTab[] = [
  { id: "activity", label: "Activity", component: ActivityTab },
  { id: "attributes", label: "Attributes", component: AttributesTab },
  { id: "sessions", label: "Sessions", component: SessionsTab },
  { id: "consents", label: "Consents", component: ConsentsTab },
  { id: "custom-objects", label: "Custom objects", component: CustomObjectsTab },
  { id: "authenticators", label: "Authenticators", component: AuthenticatorsTab },
  { id: "identity-verification", label: "Identity verification", component: VerificationTab },
  { id: "groups-and-roles", label: "Groups and roles", component: AccessTab },
  { id: "notifications", label: "Notifications", component: NotificationsTab },
];
