import type { ChallengeCardFragment } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { Link } from "../../router";

export function ChallengeCard({ challenge }: { challenge: ChallengeCardFragment }) {
  const { t } = useI18n();
  return (
    <Link className="challenge-card" to={`/challenges/${challenge.id}`}>
      <img src={challenge.thumbnailImageUrl} alt="" width={320} height={180} loading="lazy" />
      <span className={`badge ${challenge.status.toLowerCase()}`}>{t(challenge.status)}</span>
      <strong>{challenge.title}</strong>
      <small>
        {t(challenge.category)} · {t("seats", { current: challenge.currentAttendance, limit: challenge.limitAttendance })}
      </small>
      <small>{t("period", { start: challenge.startDate, due: challenge.dueDate })}</small>
    </Link>
  );
}
