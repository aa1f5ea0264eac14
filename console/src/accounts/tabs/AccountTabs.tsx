import { Link, useLocation } from "wouter-preact";
import { accountPath } from "../paths.ts";
import { ACCOUNT_TABS, type TabProps } from "./registry.ts";

interface Props extends TabProps {
  /** The tab the URL names; the first when it names none (or one that does not exist). */
  tabId: string | undefined;
}

/**
 * The account page's tabs (WAI-ARIA tabs with links, so a tab has a URL and the browser's back
 * button works); arrow keys, Home and End move between them. Only the shown tab is rendered, so
 * each loads its data when opened.
 */
export function AccountTabs({ account, store, tabId }: Props) {
  const [, navigate] = useLocation();
  const current = ACCOUNT_TABS.find((tab) => tab.id === tabId) ?? ACCOUNT_TABS[0]!;
  const hrefOf = (id: string) => `${accountPath(account.id)}/${id}`;
  const onKeyDown = (event: KeyboardEvent) => {
    const index = ACCOUNT_TABS.indexOf(current);
    const last = ACCOUNT_TABS.length - 1;
    const next = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    navigate(hrefOf(ACCOUNT_TABS[next]!.id));
    requestAnimationFrame(() => document.getElementById(`tab-${ACCOUNT_TABS[next]!.id}`)?.focus());
  };
  const Panel = current.component;
  return (
    <div class="tabs">
      <div role="tablist" aria-label="Account details" onKeyDown={onKeyDown}>
        {ACCOUNT_TABS.map((tab) => (
          <Link
            key={tab.id}
            id={`tab-${tab.id}`}
            href={hrefOf(tab.id)}
            role="tab"
            aria-selected={tab === current}
            aria-controls="tab-panel"
            tabIndex={tab === current ? 0 : -1}
          >
            {tab.label}
          </Link>
        ))}
      </div>
      <div id="tab-panel" role="tabpanel" aria-labelledby={`tab-${current.id}`} tabIndex={0}>
        <Panel account={account} store={store} />
      </div>
    </div>
  );
}
