// Unread counts: a badge on a challenge's chat tab, and the viewer's rooms on my page
// (Query.myRooms, latest activity first). Both read `Room:<id>.unreadCount`, so the answer of
// markRoomRead in the open room clears them without a refetch.
import { useQuery } from "@apollo/client/react";

import { useI18n } from "../../i18n";
import { Link } from "../../router";
import { ErrorNote, time } from "../../ui";
import { MY_ROOMS, ROOM_UNREAD } from "./messageOperations";

export function UnreadBadge({ challengeId }: { challengeId: string }) {
  const { t } = useI18n();
  const { data } = useQuery(ROOM_UNREAD, { variables: { challengeId }, fetchPolicy: "cache-and-network" });
  const count = data?.room?.unreadCount ?? 0;
  if (count === 0) return null;
  return (
    <span className="unread-badge" data-testid="room-unread" title={t("unreadMessages", { count })}>
      {count}
    </span>
  );
}

export function MyRooms() {
  const { t } = useI18n();
  const { data, error, fetchMore } = useQuery(MY_ROOMS, { fetchPolicy: "cache-and-network" });
  const rooms = data?.myRooms;
  if (error) return <ErrorNote error={error} />;
  if (!rooms) return null;
  return (
    <section className="my-rooms">
      <h2>{t("myRooms")}</h2>
      {rooms.edges.length === 0 ? <p>{t("noRooms")}</p> : null}
      <ul>
        {rooms.edges.map(({ node: room }) => (
          <li key={room.id} data-room-id={room.id}>
            <Link to={`/challenges/${room.challenge.id}?tab=chat`}>{room.challenge.title}</Link>
            {room.lastMessage ? (
              <small className="last-message">
                {room.lastMessage.sender.nickname}: {room.lastMessage.body} · {time(room.lastMessage.createdAt)}
              </small>
            ) : null}
            {room.unreadCount > 0 ? <span className="unread-badge" data-unread={room.unreadCount}>{room.unreadCount}</span> : null}
          </li>
        ))}
      </ul>
      {rooms.pageInfo.hasNextPage ? (
        <button className="secondary" onClick={() => void fetchMore({ variables: { after: rooms.pageInfo.endCursor } })}>
          {t("more")}
        </button>
      ) : null}
    </section>
  );
}
