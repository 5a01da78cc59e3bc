// One chat message. Reactions, replies and edits (next API version) go in the footer slot.
import type { ReactNode } from "react";

import type { ChatMessageFragment } from "../../gql/graphql";
import { Avatar, time } from "../../ui";

export function MessageItem(props: {
  message: ChatMessageFragment;
  mine: boolean;
  onDelete?: () => void;
  footer?: ReactNode;
}) {
  const { message, mine, onDelete, footer } = props;
  return (
    <li className={mine ? "message mine" : "message"} data-message-id={message.id}>
      <Avatar url={message.sender.profileImageUrl} name={message.sender.nickname} />
      <div className="bubble">
        <header>
          <strong>{message.sender.nickname}</strong>
          <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
          {onDelete ? (
            <button className="icon" aria-label="delete" title="delete" onClick={onDelete}>
              ×
            </button>
          ) : null}
        </header>
        <p className="body">{message.body}</p>
        {footer}
      </div>
    </li>
  );
}
