// Sign up in two steps, as the API wants: a code mailed to the address, then the account.
import { useMutation } from "@apollo/client/react";
import { useState, type FormEvent } from "react";

import { rememberExpiry } from "../../apollo/session";
import { useI18n } from "../../i18n";
import { Link, navigate } from "../../router";
import { ErrorNote, Field } from "../../ui";
import { REQUEST_CODE, SIGN_UP, VIEWER } from "./operations";

export function SignUp() {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [codeSent, setCodeSent] = useState(false);
  const [form, setForm] = useState({ code: "", nickname: "", password: "" });
  const [requestCode, requested] = useMutation(REQUEST_CODE);
  const [signUp, signedUp] = useMutation(SIGN_UP, {
    update(cache, { data }) {
      if (data) cache.writeQuery({ query: VIEWER, data: { me: data.signUp.member } });
    },
  });

  const ask = async (event: FormEvent) => {
    event.preventDefault();
    const { data } = await requestCode({ variables: { email } }).catch(() => ({ data: undefined }));
    if (data?.requestEmailVerification) setCodeSent(true);
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const input = { email, password: form.password, nickname: form.nickname, verificationCode: form.code };
    const { data } = await signUp({ variables: { input } }).catch(() => ({ data: undefined }));
    if (!data) return;
    rememberExpiry(data.signUp.accessTokenExpiresAt);
    navigate("/");
  };

  const set = (name: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [name]: event.target.value });

  return (
    <div className="card narrow">
      <h1>{t("signUp")}</h1>
      <form onSubmit={ask} aria-label={t("sendCode")}>
        <Field label={t("email")}>
          <input name="email" type="email" required value={email} disabled={codeSent} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <ErrorNote error={requested.error} />
        {codeSent ? null : <button type="submit" disabled={requested.loading}>{t("sendCode")}</button>}
      </form>
      {codeSent ? (
        <form onSubmit={create} aria-label={t("signUp")}>
          <p className="hint">{t("codeSent", { email })}</p>
          <Field label={t("verificationCode")}>
            <input name="code" inputMode="numeric" autoComplete="one-time-code" required value={form.code} onChange={set("code")} />
          </Field>
          <Field label={t("nickname")}>
            <input name="nickname" required minLength={3} maxLength={10} value={form.nickname} onChange={set("nickname")} />
          </Field>
          <Field label={t("password")} hint={t("passwordRule")}>
            <input name="password" type="password" autoComplete="new-password" required value={form.password} onChange={set("password")} />
          </Field>
          <ErrorNote error={signedUp.error} />
          <button type="submit" disabled={signedUp.loading}>{t("signUp")}</button>
        </form>
      ) : null}
      <p>
        {t("haveAccount")} <Link to="/login">{t("logIn")}</Link>
      </p>
    </div>
  );
}
