// The challenge's chat room: history (paged backwards), live events, presence with statuses,
// the pinned message, typing, replies, and the read position that clears the unread badges.
import { useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useRef, useState } from "react";

import type { ChatMessageFragment } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { ErrorNote } from "../../ui";
import { useViewer } from "../auth/viewer";
import { Composer, TypingIndicator } from "./Composer";
import { MessageItem } from "./MessageItem";
import { PIN_MESSAGE } from "./messageOperations";
import { CHAT_ROOM, DELETE_MESSAGE } from "./operations";
import { PresencePanel, useStatusSwitch } from "./Presence";
import { useMarkRead } from "./useMarkRead";
import { useRoomEvents } from "./useRoomEvents";

export function ChatRoom({ challengeId, leader }: { challengeId: string; leader: boolean }) {
  const { t } = useI18n();
  const { viewer } = useViewer();
  const { data, error, fetchMore, refetch, loading } = useQuery(CHAT_ROOM, { variables: { challengeId } });
  const room = data?.room;
  const edges = room?.messages.edges ?? [];
  const newestCursor = edges.length ? edges[edges.length - 1].cursor : null;
  const [studying, setStudying] = useState(false);
  const status = useStatusSwitch(challengeId);
  const stream = useRoomEvents({
    challengeId,
    roomId: room?.id,
    newestCursor,
    reloadHistory: () => refetch().catch(() => undefined),
    onLive: () => (studying ? status.apply("STUDYING") : undefined),
  });
  useMarkRead(challengeId, newestCursor, room?.lastReadCursor);
  const [remove] = useMutation(DELETE_MESSAGE);
  const [pin] = useMutation(PIN_MESSAGE);
  const [replyTo, setReplyTo] = useState<ChatMessageFragment | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const newest = edges.length ? edges[edges.length - 1].node.id : null;

  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: "end" });
  }, [newest]);

  if (!room) return loading ? <p>{t("loading")}</p> : <ErrorNote error={error} />;
  const older = room.messages.pageInfo;
  const pinnedId = room.pinnedMessage?.id ?? null;
  const pinTo = (messageId: string | null) =>
    void pin({ variables: { challengeId, messageId } }).catch(() => undefined);
  const switchStudying = (next: boolean) => {
    setStudying(next);
    status.apply(next ? "STUDYING" : "ONLINE");
  };

  return (
    <section className="chat">
      <PresencePanel room={room} viewerId={viewer?.id} live={stream.live} studying={studying} setStudying={switchStudying} error={status.error} />
      <div className="conversation">
        {room.pinnedMessage ? (
          <p className="pinned" data-message-id={room.pinnedMessage.id}>
            <span aria-hidden="true">📌</span> <strong>{room.pinnedMessage.sender.nickname}</strong> {room.pinnedMessage.body}
            {leader ? <button className="link" onClick={() => pinTo(null)}>{t("unpin")}</button> : null}
          </p>
        ) : null}
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
              pinned={node.id === pinnedId}
              onReply={() => setReplyTo(node)}
              onPin={leader ? () => pinTo(node.id === pinnedId ? null : node.id) : undefined}
              onDelete={node.sender.id === viewer?.id || leader ? () => void remove({ variables: { id: node.id } }).catch(() => undefined) : undefined}
            />
          ))}
        </ol>
        <TypingIndicator names={room.typingMembers.filter((member) => member.id !== viewer?.id).map((member) => member.nickname)} />
        <ErrorNote error={error ?? stream.error} />
        <Composer key={challengeId} challengeId={challengeId} roomId={room.id} replyTo={replyTo} cancelReply={() => setReplyTo(null)} />
      </div>
    </section>
  );
}
