// Create a challenge, thumbnail included: the File goes in the variables and UploadHttpLink
// turns the request into a GraphQL multipart request.
import { useMutation } from "@apollo/client/react";
import { useState, type FormEvent } from "react";

import type { Category, SchedulePeriod } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";
import { ErrorNote, Field } from "../../ui";
import { CATEGORIES } from "./ChallengeList";
import { CREATE_CHALLENGE } from "./operations";

function isoDate(offsetDays: number): string {
  const day = new Date(Date.now() + offsetDays * 86_400_000);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
}

export function CreateChallenge() {
  const { t } = useI18n();
  const [form, setForm] = useState({
    title: "",
    category: "IT" as Category,
    description: "",
    startDate: isoDate(0),
    dueDate: isoDate(27),
    frequency: "",
    authExplanation: "",
    limitAttendance: 10,
    period: "DAY" as SchedulePeriod,
    times: 1,
  });
  const [thumbnail, setThumbnail] = useState<File | null>(null);
  const [create, { loading, error }] = useMutation(CREATE_CHALLENGE, {
    update(cache) {
      cache.evict({ fieldName: "challenges" });
    },
  });
  const set = (name: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [name]: event.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { period, times, limitAttendance, ...fields } = form;
    const schedule = { period, times: period === "DAY" ? 1 : Number(times) };
    const frequency = fields.frequency || (period === "DAY" ? t("scheduleDay") : t("scheduleWeek", { times }));
    const input = { ...fields, frequency, limitAttendance: Number(limitAttendance), schedule };
    const result = await create({ variables: { input, thumbnail } }).catch(() => null);
    if (result?.data) navigate(`/challenges/${result.data.createChallenge.id}`);
  };

  return (
    <form className="card" onSubmit={submit} aria-label={t("newChallenge")}>
      <h1>{t("newChallenge")}</h1>
      <Field label={t("title")}><input name="title" required value={form.title} onChange={set("title")} /></Field>
      <Field label={t("category")}>
        <select name="category" value={form.category} onChange={set("category")}>
          {CATEGORIES.map((value) => <option key={value} value={value}>{t(value)}</option>)}
        </select>
      </Field>
      <Field label={t("description")}><textarea name="description" required value={form.description} onChange={set("description")} /></Field>
      <div className="row">
        <Field label={t("startDate")}><input name="startDate" type="date" required value={form.startDate} onChange={set("startDate")} /></Field>
        <Field label={t("dueDate")}><input name="dueDate" type="date" required value={form.dueDate} onChange={set("dueDate")} /></Field>
        <Field label={t("limitAttendance")}>
          <input name="limitAttendance" type="number" min={1} max={100} required value={form.limitAttendance} onChange={set("limitAttendance")} />
        </Field>
      </div>
      <div className="row">
        <Field label={t("schedule")}>
          <select name="period" value={form.period} onChange={set("period")}>
            <option value="DAY">{t("periodDay")}</option>
            <option value="WEEK">{t("periodWeek")}</option>
          </select>
        </Field>
        {form.period === "WEEK" ? (
          <Field label={t("timesPerWeek")}>
            <input name="times" type="number" min={1} max={7} value={form.times} onChange={set("times")} />
          </Field>
        ) : null}
        <Field label={t("frequency")}><input name="frequency" value={form.frequency} onChange={set("frequency")} /></Field>
      </div>
      <Field label={t("authExplanation")}>
        <input name="authExplanation" required value={form.authExplanation} onChange={set("authExplanation")} />
      </Field>
      <Field label={t("thumbnail")}>
        <input name="thumbnail" type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={(e) => setThumbnail(e.target.files?.[0] ?? null)} />
      </Field>
      <ErrorNote error={error} />
      <button type="submit" disabled={loading}>{t("create")}</button>
    </form>
  );
}
