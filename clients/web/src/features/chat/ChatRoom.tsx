// The challenge's chat room: history (paged backwards), live events, presence, sending.
import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { ConnectionStatus } from "../../ConnectionStatus";
import { useI18n } from "../../i18n";
import { Avatar, ErrorNote, uniqueId } from "../../ui";
import { useViewer } from "../auth/viewer";
import { MessageItem } from "./MessageItem";
import { CHAT_ROOM, DELETE_MESSAGE, SEND_MESSAGE } from "./operations";
import { addMessage } from "./roomEvents";
import { useRoomEvents } from "./useRoomEvents";

export function ChatRoom({ challengeId, leader }: { challengeId: string; leader: boolean }) {
  const { t } = useI18n();
  const { viewer } = useViewer();
  const { data, error, fetchMore, refetch, loading } = useQuery(CHAT_ROOM, { variables: { challengeId } });
  const room = data?.room;
  const edges = room?.messages.edges ?? [];
  const streamError = useRoomEvents({
    challengeId,
    roomId: room?.id,
    newestCursor: edges.length ? edges[edges.length - 1].cursor : null,
    reloadHistory: () => void refetch().catch(() => undefined),
  });
  const [remove] = useMutation(DELETE_MESSAGE);
  const list = useRef<HTMLOListElement>(null);
  const newest = edges.length ? edges[edges.length - 1].node.id : null;

  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: "end" });
  }, [newest]);

  if (!room) return loading ? <p>{t("loading")}</p> : <ErrorNote error={error} />;
  const older = room.messages.pageInfo;

  return (
    <section className="chat">
      <aside className="presence" aria-label={t("studyingNow")}>
        <h2>
          {t("studyingNow")} <span className="count">{room.onlineMembers.length}</span>
        </h2>
        <ul>
          {room.onlineMembers.map((member) => (
            <li key={member.id} data-member-id={member.id}>
              <Avatar url={member.profileImageUrl} name={member.nickname} size={24} /> {member.nickname}
            </li>
          ))}
        </ul>
        <ConnectionStatus />
      </aside>
      <div className="conversation">
        {older.hasPreviousPage ? (
          <button className="secondary" onClick={() => void fetchMore({ variables: { before: older.startCursor } })}>
            {t("olderMessages")}
          </button>
        ) : null}
        <ol className="messages" ref={list} aria-live="polite">
          {edges.map(({ node }) => (
            <MessageItem
              key={node.id}
              message={node}
              mine={node.sender.id === viewer?.id}
              onDelete={node.sender.id === viewer?.id || leader ? () => void remove({ variables: { id: node.id } }).catch(() => undefined) : undefined}
            />
          ))}
        </ol>
        <ErrorNote error={error ?? streamError} />
        <Composer challengeId={challengeId} roomId={room.id} />
      </div>
    </section>
  );
}

function Composer({ challengeId, roomId }: { challengeId: string; roomId: string }) {
  const { t } = useI18n();
  const client = useApolloClient();
  const [body, setBody] = useState("");
  // Kept until the message is stored: a retry after a timeout can never post it twice.
  const [clientMessageId, setClientMessageId] = useState(uniqueId);
  const [send, { loading, error }] = useMutation(SEND_MESSAGE);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = body.trim();
    if (!text) return;
    const result = await send({ variables: { challengeId, body: text, clientMessageId } }).catch(() => null);
    if (!result?.data) return;
    addMessage(client.cache, roomId, result.data.sendMessage);
    setBody("");
    setClientMessageId(uniqueId());
  };

  return (
    <form className="composer" onSubmit={submit}>
      <input
        aria-label={t("messagePlaceholder")}
        placeholder={t("messagePlaceholder")}
        value={body}
        maxLength={1000}
        onChange={(e) => setBody(e.target.value)}
      />
      <button type="submit" disabled={loading}>{t("send")}</button>
      <ErrorNote error={error} />
    </form>
  );
}
