// Writing a message: an optional reply quote, the text, and the typing signal. setTyping(true)
// goes out at most once per TYPING_REPEAT_MS while the text changes (the server forgets a
// typist after TYPING_TTL, 5 s, and rate-limits the call), and setTyping(false) once the text
// is sent, cleared or left behind, so the others' indicator goes away at once.
import { useApolloClient, useMutation } from "@apollo/client/react";
import { useEffect, useRef, useState, type FormEvent } from "react";

import type { ChatMessageFragment } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { ErrorNote, uniqueId } from "../../ui";
import { SET_TYPING } from "./liveOperations";
import { SEND_MESSAGE } from "./operations";
import { addMessage } from "./roomEvents";

const TYPING_REPEAT_MS = 3_000;

function useTypingSignal(challengeId: string): (typing: boolean) => void {
  const [setTyping] = useMutation(SET_TYPING);
  const lastSent = useRef(0);
  const signal = useRef((typing: boolean) => {
    const now = Date.now();
    if (!navigator.onLine) return; // live only: nobody could see it by the time we are back
    if (typing ? now - lastSent.current < TYPING_REPEAT_MS : lastSent.current === 0) return;
    lastSent.current = typing ? now : 0;
    void setTyping({ variables: { challengeId, typing } }).catch(() => undefined);
  });
  useEffect(() => () => signal.current(false), []);
  return signal.current;
}

export function Composer(props: {
  challengeId: string;
  roomId: string;
  replyTo: ChatMessageFragment | null;
  cancelReply: () => void;
}) {
  const { challengeId, roomId, replyTo, cancelReply } = props;
  const { t } = useI18n();
  const client = useApolloClient();
  const [body, setBody] = useState("");
  // Kept until the message is stored: a retry after a timeout can never post it twice.
  const [clientMessageId, setClientMessageId] = useState(uniqueId);
  const [send, { loading, error }] = useMutation(SEND_MESSAGE);
  const typing = useTypingSignal(challengeId);

  const change = (text: string) => {
    setBody(text);
    typing(text.trim() !== "");
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = body.trim();
    if (!text) return;
    const variables = { challengeId, body: text, clientMessageId, replyToId: replyTo?.id ?? null };
    const result = await send({ variables }).catch(() => null);
    if (!result?.data) return;
    typing(false);
    addMessage(client.cache, roomId, result.data.sendMessage);
    setBody("");
    setClientMessageId(uniqueId());
    cancelReply();
  };

  return (
    <form className="composer" onSubmit={submit}>
      {replyTo ? (
        <p className="replying" data-reply-to={replyTo.id}>
          <span>{t("replyingTo", { name: replyTo.sender.nickname })}</span> <q>{replyTo.body}</q>
          <button type="button" className="icon" aria-label={t("cancel")} title={t("cancel")} onClick={cancelReply}>×</button>
        </p>
      ) : null}
      <input
        aria-label={t("messagePlaceholder")}
        placeholder={t("messagePlaceholder")}
        value={body}
        maxLength={1000}
        onChange={(e) => change(e.target.value)}
        onBlur={() => typing(false)}
      />
      <button type="submit" disabled={loading}>{t("send")}</button>
      <ErrorNote error={error} />
    </form>
  );
}

export function TypingIndicator({ names }: { names: string[] }) {
  const { t } = useI18n();
  const text = names.length === 0 ? "" : names.length === 1 ? t("typingOne", { name: names[0] }) : t("typingMany", { names: names.join(", ") });
  return (
    <p className="typing" aria-live="polite" data-count={names.length}>
      {text}
    </p>
  );
}
