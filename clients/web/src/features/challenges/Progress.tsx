// "My progress" and the leaderboard, as the server computes them (shown as they come). Both
// are refetched by name after a proof is posted or reviewed.
import { useQuery } from "@apollo/client/react";

import { useI18n } from "../../i18n";
import { Avatar, ErrorNote, percent } from "../../ui";
import { LEADERBOARD, MY_PROGRESS } from "./operations";

export function MyProgress({ challengeId }: { challengeId: string }) {
  const { t } = useI18n();
  const { data, error } = useQuery(MY_PROGRESS, { variables: { id: challengeId } });
  const progress = data?.challenge?.viewerProgress;
  if (error) return <ErrorNote error={error} />;
  if (!progress) return null;
  return (
    <div className="progress" aria-label={t("myProgress")}>
      <h2>{t("myProgress")}</h2>
      <meter min={0} max={1} value={progress.rate} aria-label={t("rate")} />
      <dl className="stats">
        <dt>{t("rate")}</dt><dd>{percent(progress.rate)}</dd>
        <dt>{t("approved")}</dt><dd>{progress.approved}/{progress.required}</dd>
        <dt>{t("waiting")}</dt><dd>{progress.waiting}</dd>
        <dt>{t("misses")}</dt><dd>{progress.misses}</dd>
        <dt>{t("streak")}</dt><dd>{progress.currentStreak} ({t("bestStreak")} {progress.bestStreak})</dd>
        <dt>{t("rank")}</dt><dd>#{progress.rank}</dd>
      </dl>
      <p className={progress.doneThisPeriod ? "done" : "todo"}>
        {progress.doneThisPeriod ? t("doneThisPeriod") : t("notDoneThisPeriod")}
        {progress.doneThisPeriod && progress.waiting > 0 ? ` ${t("waitingHint")}` : ""}
      </p>
    </div>
  );
}

export function Leaderboard({ challengeId }: { challengeId: string }) {
  const { t } = useI18n();
  const { data, error, fetchMore, loading } = useQuery(LEADERBOARD, { variables: { id: challengeId } });
  const board = data?.challenge?.leaderboard;
  if (error) return <ErrorNote error={error} />;
  if (!board) return null;
  return (
    <div className="leaderboard">
      <h2>{t("leaderboard")}</h2>
      <ol>
        {board.edges.map(({ cursor, node }) => (
          <li key={cursor}>
            <span className="rank">{node.rank}</span>
            <Avatar url={node.member.profileImageUrl} name={node.member.nickname} />
            <span className="who">{node.member.nickname}</span>
            <span>{percent(node.rate)}</span>
            <small>{t("streak")} {node.currentStreak}</small>
          </li>
        ))}
      </ol>
      {board.pageInfo.hasNextPage ? (
        <button className="secondary" disabled={loading} onClick={() => void fetchMore({ variables: { after: board.pageInfo.endCursor } })}>
          {t("more")}
        </button>
      ) : null}
    </div>
  );
}
