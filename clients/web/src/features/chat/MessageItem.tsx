// One chat message: the quote it replies to, its text (or the edit box), the "edited" mark,
// reaction chips and the actions the viewer may take. The sender may edit within the server's
// EDIT_WINDOW; the server decides (CONFLICT past it), the button only hides once it is over.
import { useMutation } from "@apollo/client/react";
import { useState, type FormEvent } from "react";

import type { ChatMessageFragment } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { Avatar, ErrorNote, time } from "../../ui";
import { EDIT_MESSAGE } from "./messageOperations";
import { AddReaction, Reactions } from "./Reactions";

/** The server's EDIT_WINDOW default (900 s). */
const EDIT_WINDOW_MS = 900_000;

export interface MessageActions {
  onReply: () => void;
  onDelete?: () => void;
  onPin?: () => void;
}

function EditBox({ message, done }: { message: ChatMessageFragment; done: () => void }) {
  const { t } = useI18n();
  const [body, setBody] = useState(message.body);
  const [edit, { loading, error }] = useMutation(EDIT_MESSAGE);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const text = body.trim();
    if (text && text !== message.body) {
      const result = await edit({ variables: { id: message.id, body: text } }).catch(() => null);
      if (!result?.data) return;
    }
    done();
  };
  return (
    <form className="edit-box" onSubmit={save}>
      <input aria-label={t("edit")} value={body} maxLength={1000} autoFocus onChange={(e) => setBody(e.target.value)} />
      <button type="submit" disabled={loading}>{t("save")}</button>
      <button type="button" className="secondary" onClick={done}>{t("cancel")}</button>
      <ErrorNote error={error} />
    </form>
  );
}

export function MessageItem(props: { message: ChatMessageFragment; mine: boolean; pinned: boolean } & MessageActions) {
  const { message, mine, pinned, onReply, onDelete, onPin } = props;
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [picking, setPicking] = useState(false);
  const editable = mine && Date.now() - Date.parse(message.createdAt) < EDIT_WINDOW_MS;
  const quote = message.replyTo;
  return (
    <li className={mine ? "message mine" : "message"} data-message-id={message.id}>
      <Avatar url={message.sender.profileImageUrl} name={message.sender.nickname} />
      <div className="bubble">
        <header>
          <strong>{message.sender.nickname}</strong>
          <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
          {message.editedAt ? <small className="edited" title={message.editedAt}>{t("edited")}</small> : null}
          <span className="message-actions">
            <AddReaction picking={picking} setPicking={setPicking} />
            <button className="icon reply" aria-label={t("reply")} title={t("reply")} onClick={onReply}>↩</button>
            {editable ? (
              <button className="icon edit" aria-label={t("edit")} title={t("edit")} onClick={() => setEditing(true)}>✎</button>
            ) : null}
            {onPin ? (
              <button className="icon pin" aria-label={pinned ? t("unpin") : t("pin")} title={pinned ? t("unpin") : t("pin")} aria-pressed={pinned} onClick={onPin}>📌</button>
            ) : null}
            {onDelete ? (
              <button className="icon" aria-label="delete" title="delete" onClick={onDelete}>×</button>
            ) : null}
          </span>
        </header>
        {quote ? (
          <blockquote className="reply-quote" data-reply-to={quote.id}>
            <strong>{quote.sender.nickname}</strong> {quote.body}
          </blockquote>
        ) : null}
        {editing ? <EditBox message={message} done={() => setEditing(false)} /> : <p className="body">{message.body}</p>}
        <Reactions messageId={message.id} reactions={message.reactions} picking={picking} picked={() => setPicking(false)} />
      </div>
    </li>
  );
}
