// The shell: header (navigation, bell, language, session) and the screen for the path.
import type { ReactNode } from "react";

import { Bell } from "./features/notifications/Bell";
import { ChallengeList } from "./features/challenges/ChallengeList";
import { ChallengePage } from "./features/challenges/ChallengePage";
import { CreateChallenge } from "./features/challenges/CreateChallenge";
import { LogIn } from "./features/auth/LogIn";
import { SignUp } from "./features/auth/SignUp";
import { useLogOut, useSessionStart, useViewer } from "./features/auth/viewer";
import { MyPage } from "./features/me/MyPage";
import { useI18n } from "./i18n";
import { Link, match, useLocation } from "./router";
import { Avatar } from "./ui";

function Header() {
  const { t, language, setLanguage } = useI18n();
  const { viewer } = useViewer();
  const logOut = useLogOut();
  return (
    <header className="top">
      <Link to="/" className="brand">
        <img src="/app/favicon.svg" alt="" width={28} height={28} /> {t("appName")}
      </Link>
      <nav>
        <Link to="/">{t("challenges")}</Link>
        {viewer ? <Link to="/me">{t("myPage")}</Link> : null}
      </nav>
      <div className="session">
        <button className="link" onClick={() => setLanguage(language === "ko" ? "en" : "ko")}>{t("language")}</button>
        {viewer ? (
          <>
            <Bell />
            <span className="who" data-testid="viewer">
              <Avatar url={viewer.profileImageUrl} name={viewer.nickname} size={24} /> {viewer.nickname}
            </span>
            <button className="link" onClick={() => void logOut()}>{t("logOut")}</button>
          </>
        ) : (
          <>
            <Link to="/login">{t("logIn")}</Link>
            <Link className="button" to="/signup">{t("signUp")}</Link>
          </>
        )}
      </div>
    </header>
  );
}

function Screen(): ReactNode {
  const { path } = useLocation();
  const { viewer } = useViewer();
  const { t } = useI18n();
  const needsViewer = (screen: ReactNode) => (viewer ? screen : <LogIn />);
  if (path === "/login") return <LogIn />;
  if (path === "/signup") return <SignUp />;
  if (path === "/me") return needsViewer(<MyPage />);
  if (path === "/challenges/new") return needsViewer(<CreateChallenge />);
  const challenge = match("/challenges/:id", path);
  if (challenge) return <ChallengePage id={challenge.id} />;
  if (path === "/") return <ChallengeList />;
  return <p>{t("notFound")}</p>;
}

export function App() {
  const ready = useSessionStart();
  const { t } = useI18n();
  return (
    <>
      <Header />
      <main>{ready ? <Screen /> : <p>{t("loading")}</p>}</main>
    </>
  );
}
