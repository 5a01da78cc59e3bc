import { useMutation } from "@apollo/client/react";
import { useState, type FormEvent } from "react";

import { rememberExpiry } from "../../apollo/session";
import { useI18n } from "../../i18n";
import { Link, navigate } from "../../router";
import { ErrorNote, Field } from "../../ui";
import { LOG_IN, VIEWER } from "./operations";

export function LogIn() {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [logIn, { loading, error }] = useMutation(LOG_IN, {
    update(cache, { data }) {
      if (data) cache.writeQuery({ query: VIEWER, data: { me: data.logIn.member } });
    },
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { data } = await logIn({ variables: { email, password } }).catch(() => ({ data: undefined }));
    if (!data) return;
    rememberExpiry(data.logIn.accessTokenExpiresAt);
    navigate("/");
  };

  return (
    <form className="card narrow" onSubmit={submit} aria-label={t("logIn")}>
      <h1>{t("logIn")}</h1>
      <Field label={t("email")}>
        <input name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label={t("password")}>
        <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </Field>
      <ErrorNote error={error} />
      <button type="submit" disabled={loading}>{t("logIn")}</button>
      <p>
        {t("noAccount")} <Link to="/signup">{t("signUp")}</Link>
      </p>
    </form>
  );
}
