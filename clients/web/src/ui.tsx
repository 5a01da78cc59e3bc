// Small pieces every screen uses: error notes by extensions.code, labelled fields, avatars.
import type { ReactNode } from "react";

import { problemOf } from "./errors";
import { useI18n } from "./i18n";

export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useI18n();
  const problem = problemOf(error);
  if (!problem) return null;
  const summary = t(`error_${problem.code}`, { seconds: problem.retryAfter ?? 1 });
  return (
    <p className="error" role="alert" data-code={problem.code}>
      {summary}
      {problem.code !== "NETWORK" && problem.message ? <span className="detail"> {problem.message}</span> : null}
    </p>
  );
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {hint ? <small>{hint}</small> : null}
    </label>
  );
}

export function Avatar({ url, name, size = 28 }: { url?: string | null; name: string; size?: number }) {
  if (!url) {
    return (
      <span className="avatar initials" aria-hidden="true">
        {name.slice(0, 1).toUpperCase()}
      </span>
    );
  }
  return <img className="avatar" src={url} alt="" width={size} height={size} />;
}

export function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

export function time(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** A fresh id for idempotent retries (crypto.randomUUID needs a secure context). */
export function uniqueId(): string {
  return crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
