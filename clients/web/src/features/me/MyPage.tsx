// My page: totals (Member.stats, only ever shown to the member themself) and every challenge
// with its progress, in one request whose cost does not grow with the number of challenges.
import { useQuery } from "@apollo/client/react";

import { graphql } from "../../gql";
import { useI18n } from "../../i18n";
import { Link } from "../../router";
import { Avatar, ErrorNote, percent } from "../../ui";
import { MyRooms } from "../chat/Unread";

export const MY_PAGE = graphql(`
  query MyPage {
    me {
      id nickname email bricksCount profileImageUrl
      stats { activeChallenges finishedChallenges averageRate bestStreak }
      challenges {
        role
        challenge { id title status thumbnailImageUrl viewerProgress { rate doneThisPeriod rank } }
      }
    }
  }
`);

export function MyPage() {
  const { t } = useI18n();
  const { data, error, loading } = useQuery(MY_PAGE, { fetchPolicy: "cache-and-network" });
  const me = data?.me;
  if (error) return <ErrorNote error={error} />;
  if (!me) return <p>{loading ? t("loading") : t("needLogIn")}</p>;
  return (
    <section className="my-page">
      <header className="profile">
        <Avatar url={me.profileImageUrl} name={me.nickname} size={64} />
        <div>
          <h1>{me.nickname}</h1>
          <p className="meta">{me.email}</p>
        </div>
      </header>
      {me.stats ? (
        <dl className="stat-cards">
          <div><dt>{t("bricks")}</dt><dd>{me.bricksCount}</dd></div>
          <div><dt>{t("activeChallenges")}</dt><dd>{me.stats.activeChallenges}</dd></div>
          <div><dt>{t("finishedChallenges")}</dt><dd>{me.stats.finishedChallenges}</dd></div>
          <div><dt>{t("averageRate")}</dt><dd>{percent(me.stats.averageRate)}</dd></div>
          <div><dt>{t("bestStreak")}</dt><dd>{me.stats.bestStreak}</dd></div>
        </dl>
      ) : null}
      <h2>{t("myChallenges")}</h2>
      <ul className="my-challenges">
        {me.challenges.map(({ role, challenge }) => (
          <li key={challenge.id}>
            <img src={challenge.thumbnailImageUrl} alt="" width={96} height={54} loading="lazy" />
            <Link to={`/challenges/${challenge.id}`}>{challenge.title}</Link>
            <small>{t(role)} · {t(challenge.status)}</small>
            {challenge.viewerProgress ? (
              <span className={challenge.viewerProgress.doneThisPeriod ? "done" : "todo"}>
                {percent(challenge.viewerProgress.rate)} · #{challenge.viewerProgress.rank}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <MyRooms />
    </section>
  );
}
