// Reaction chips under a message: one per emoji, "most used first", pressed when the viewer is
// among those who reacted. A click toggles the viewer's reaction with an optimistic answer, so
// the chip moves at once; the server's answer (and everyone else's REACTION event) then writes
// the real counts into the same `Message:<id>` entry. AddReaction (among the message's actions)
// opens the emoji picker under the chips.
import { useMutation } from "@apollo/client/react";

import type { MessageExtrasFragment, ReactToMessageMutation } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { REACT_TO_MESSAGE } from "./messageOperations";

type Reaction = MessageExtrasFragment["reactions"][number];
export const EMOJIS = ["👍", "❤️", "😂", "🎉", "🔥", "👏"] as const;

function toggled(reactions: Reaction[], emoji: string, reacted: boolean): Reaction[] {
  const others = reactions.filter((reaction) => reaction.emoji !== emoji);
  const before = reactions.find((reaction) => reaction.emoji === emoji);
  const count = (before?.count ?? 0) + (reacted ? 1 : -1);
  const after = count > 0 ? [{ __typename: "ReactionCount", emoji, count, viewerReacted: reacted } as Reaction] : [];
  return [...others, ...after].sort((a, b) => b.count - a.count);
}

export function AddReaction({ picking, setPicking }: { picking: boolean; setPicking: (picking: boolean) => void }) {
  const { t } = useI18n();
  return (
    <button className="icon add-reaction" aria-label={t("react")} title={t("react")} aria-expanded={picking} onClick={() => setPicking(!picking)}>
      ☺
    </button>
  );
}

export function Reactions(props: { messageId: string; reactions: Reaction[]; picking: boolean; picked: () => void }) {
  const { messageId, reactions, picking, picked } = props;
  const [react] = useMutation(REACT_TO_MESSAGE);
  if (reactions.length === 0 && !picking) return null;

  const toggle = (emoji: string, reacted: boolean) => {
    picked();
    void react({
      variables: { id: messageId, emoji, reacted },
      // With __typename the cache writes the optimistic answer into `Message:<id>` like the real one.
      optimisticResponse: {
        reactToMessage: { __typename: "Message", id: messageId, reactions: toggled(reactions, emoji, reacted) },
      } as ReactToMessageMutation,
    }).catch(() => undefined);
  };

  return (
    <div className="reactions">
      {reactions.map(({ emoji, count, viewerReacted }) => (
        <button
          key={emoji}
          className="reaction"
          data-emoji={emoji}
          aria-pressed={viewerReacted}
          onClick={() => toggle(emoji, !viewerReacted)}
        >
          {emoji} <span className="n">{count}</span>
        </button>
      ))}
      {picking ? (
        <span className="picker" role="menu">
          {EMOJIS.map((emoji) => (
            <button key={emoji} role="menuitem" className="icon" data-emoji={emoji} onClick={() => toggle(emoji, true)}>
              {emoji}
            </button>
          ))}
        </span>
      ) : null}
    </div>
  );
}
