import { useSyncExternalStore } from "react";

import { connectionState, onConnectionState } from "./apollo/connection";
import { useI18n } from "./i18n";

export function useConnectionState() {
  return useSyncExternalStore(onConnectionState, connectionState);
}

/** Live / connecting / offline, for the screens that stream. */
export function ConnectionStatus() {
  const { t } = useI18n();
  const state = useConnectionState();
  if (state === "idle") return null;
  const label = state === "live" ? t("live") : state === "offline" ? t("offline") : t("connecting");
  return (
    <span className={`connection ${state}`} role="status" data-state={state}>
      {label}
    </span>
  );
}
