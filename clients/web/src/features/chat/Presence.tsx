// Who is in the room, with their status, and the viewer's "studying now" switch. The status
// lives with the viewer's roomEvents stream (setPresenceStatus is CONFLICT without one), so the
// switch waits for the stream to be live, and a stream opened again after a drop starts ONLINE:
// the room re-applies the chosen status from `onLive` (see ChatRoom).
import { useMutation } from "@apollo/client/react";

import { ConnectionStatus } from "../../ConnectionStatus";
import type { ChatRoomQuery, PresenceStatus } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { Avatar, ErrorNote } from "../../ui";
import { SET_PRESENCE_STATUS } from "./liveOperations";

type Room = NonNullable<ChatRoomQuery["room"]>;

export function useStatusSwitch(challengeId: string) {
  const [setStatus, { error, loading }] = useMutation(SET_PRESENCE_STATUS);
  const apply = (status: PresenceStatus) =>
    void setStatus({ variables: { challengeId, status } }).catch(() => undefined);
  return { apply, error, loading };
}

export function PresencePanel(props: {
  room: Room;
  viewerId: string | undefined;
  live: boolean;
  studying: boolean;
  setStudying: (studying: boolean) => void;
  error: unknown;
}) {
  const { room, viewerId, live, studying, setStudying, error } = props;
  const { t } = useI18n();
  const statusOf = (memberId: string): PresenceStatus =>
    room.presence.find((presence) => presence.member.id === memberId)?.status ?? "ONLINE";
  const studyingCount = room.onlineMembers.filter((member) => statusOf(member.id) === "STUDYING").length;
  return (
    <aside className="presence" aria-label={t("inRoom")}>
      <h2>
        {t("inRoom")} <span className="count">{room.onlineMembers.length}</span>
      </h2>
      <p className="studying-now">
        {t("studyingNow")} <span className="studying-count">{studyingCount}</span>
      </p>
      <ul>
        {room.onlineMembers.map((member) => (
          <li key={member.id} data-member-id={member.id} data-status={statusOf(member.id)}>
            <Avatar url={member.profileImageUrl} name={member.nickname} size={24} /> {member.nickname}
            <small className={`status ${statusOf(member.id).toLowerCase()}`}>{t(statusOf(member.id))}</small>
          </li>
        ))}
      </ul>
      {viewerId ? (
        <button
          className={studying ? "studying-toggle on" : "studying-toggle secondary"}
          aria-pressed={studying}
          disabled={!live}
          onClick={() => setStudying(!studying)}
        >
          {studying ? t("stopStudying") : t("startStudying")}
        </button>
      ) : null}
      <ErrorNote error={error} />
      <ConnectionStatus />
    </aside>
  );
}
