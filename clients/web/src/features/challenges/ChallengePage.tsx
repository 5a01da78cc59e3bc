// One challenge: details with join/leave, then tabs for progress, proofs and the chat room.
import { useMutation, useQuery } from "@apollo/client/react";

import type { ChallengeQuery } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { Link, useLocation } from "../../router";
import { Avatar, ErrorNote } from "../../ui";
import { useViewer } from "../auth/viewer";
import { ChatRoom } from "../chat/ChatRoom";
import { UnreadBadge } from "../chat/Unread";
import { Proofs } from "../proofs/Proofs";
import { CHALLENGE, JOIN_CHALLENGE, LEAVE_CHALLENGE } from "./operations";
import { Leaderboard, MyProgress } from "./Progress";

type Challenge = NonNullable<ChallengeQuery["challenge"]>;
const TABS = ["overview", "proofs", "chat"] as const;

export function ChallengePage({ id }: { id: string }) {
  const { t } = useI18n();
  const { params } = useLocation();
  const tab = TABS.find((name) => name === params.get("tab")) ?? "overview";
  const { data, loading, error } = useQuery(CHALLENGE, { variables: { id } });
  const challenge = data?.challenge;

  if (loading && !data) return <p>{t("loading")}</p>;
  if (error) return <ErrorNote error={error} />;
  if (!challenge) return <p>{t("notFound")}</p>;
  const member = challenge.viewerRole != null;

  return (
    <article className="challenge">
      <header className="challenge-head">
        <img src={challenge.thumbnailImageUrl} alt="" width={240} height={135} />
        <div>
          <span className={`badge ${challenge.status.toLowerCase()}`}>{t(challenge.status)}</span>
          <h1>{challenge.title}</h1>
          <p className="meta">
            {t(challenge.category)} · {t("period", { start: challenge.startDate, due: challenge.dueDate })} ·{" "}
            {t("seats", { current: challenge.currentAttendance, limit: challenge.limitAttendance })}
          </p>
          <Membership challenge={challenge} />
        </div>
      </header>
      <nav className="tabs" aria-label={challenge.title}>
        {TABS.map((name) => (
          <Link key={name} to={`/challenges/${id}${name === "overview" ? "" : `?tab=${name}`}`} aria-current={tab === name ? "page" : undefined}>
            {t(name)}
            {name === "chat" && member && tab !== "chat" ? <UnreadBadge challengeId={id} /> : null}
          </Link>
        ))}
      </nav>
      {tab === "overview" ? <Overview challenge={challenge} member={member} /> : null}
      {tab === "proofs" ? <Proofs challengeId={id} role={challenge.viewerRole ?? null} /> : null}
      {tab === "chat" ? member ? <ChatRoom challengeId={id} leader={challenge.viewerRole === "LEADER"} /> : <p>{t("membersOnly")}</p> : null}
    </article>
  );
}

function Membership({ challenge }: { challenge: Challenge }) {
  const { t } = useI18n();
  const { viewer } = useViewer();
  const refetchQueries = ["Challenge", "MyProgress", "Leaderboard", "MyPage"];
  const [join, joined] = useMutation(JOIN_CHALLENGE, { variables: { id: challenge.id }, refetchQueries });
  const [leave, left] = useMutation(LEAVE_CHALLENGE, { variables: { id: challenge.id }, refetchQueries });
  if (!viewer) return <Link className="button" to="/login">{t("logIn")}</Link>;
  if (challenge.viewerRole === "LEADER") return <p className="role">{t("youLead")}</p>;
  return (
    <div className="membership">
      {challenge.viewerRole ? (
        <>
          <span className="role">{t("youJoined")}</span>
          <button className="secondary" disabled={left.loading} onClick={() => void leave().catch(() => undefined)}>
            {t("leave")}
          </button>
        </>
      ) : (
        <button disabled={joined.loading} onClick={() => void join().catch(() => undefined)}>{t("join")}</button>
      )}
      <ErrorNote error={joined.error ?? left.error} />
    </div>
  );
}

function Overview({ challenge, member }: { challenge: Challenge; member: boolean }) {
  const { t } = useI18n();
  const { period, times } = challenge.schedule;
  return (
    <div className="columns">
      <section>
        <h2>{t("description")}</h2>
        <p className="prose">{challenge.description}</p>
        <dl>
          <dt>{t("schedule")}</dt>
          <dd>{period === "DAY" ? t("scheduleDay") : t("scheduleWeek", { times })} ({challenge.frequency})</dd>
          <dt>{t("authExplanation")}</dt>
          <dd>{challenge.authExplanation}</dd>
          <dt>{t("leader")}</dt>
          <dd>{challenge.leader.nickname}</dd>
        </dl>
        <h2>{t("members")}</h2>
        <ul className="members">
          {challenge.memberships.map(({ role, member: who }) => (
            <li key={who.id}>
              <Avatar url={who.profileImageUrl} name={who.nickname} /> {who.nickname} <small>{t(role)}</small>
            </li>
          ))}
        </ul>
      </section>
      {member ? (
        <section>
          <MyProgress challengeId={challenge.id} />
          <Leaderboard challengeId={challenge.id} />
        </section>
      ) : null}
    </div>
  );
}
