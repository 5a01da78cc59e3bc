// Proofs of a challenge: members post one (text, an image upload, a video link); the leader
// approves or denies those waiting. Progress numbers change with both: refetched by name.
import { useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useState, type FormEvent } from "react";

import type { ChallengerRole, ProofItemFragment } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { Avatar, ErrorNote, Field } from "../../ui";
import { CREATE_PROOF, PROOFS, REVIEW_PROOF } from "./operations";

const AFTER_PROOF = ["Proofs", "MyProgress", "Leaderboard", "MyPage", "Viewer"];

export function Proofs({ challengeId, role }: { challengeId: string; role: ChallengerRole | null }) {
  const { t } = useI18n();
  const { data, error, loading, fetchMore } = useQuery(PROOFS, { variables: { id: challengeId } });
  const proofs = data?.challenge?.proofs;
  return (
    <section className="proofs">
      {role ? <PostProof challengeId={challengeId} /> : <p>{t("membersOnly")}</p>}
      <ErrorNote error={error} />
      {proofs && proofs.edges.length === 0 ? <p>{t("noProofs")}</p> : null}
      <ul className="proof-list">
        {proofs?.edges.map(({ node }) => (
          <li key={node.id}>
            <ProofCard proof={node} leader={role === "LEADER"} />
          </li>
        ))}
      </ul>
      {proofs?.pageInfo.hasNextPage ? (
        <button className="secondary" disabled={loading} onClick={() => void fetchMore({ variables: { after: proofs.pageInfo.endCursor } })}>
          {t("more")}
        </button>
      ) : null}
    </section>
  );
}

function PostProof({ challengeId }: { challengeId: string }) {
  const { t } = useI18n();
  const [content, setContent] = useState("");
  const [videoUrl, setVideoUrl] = useState("");
  const [image, setImage] = useState<File | null>(null);
  const [formKey, setFormKey] = useState(0);
  const preview = useObjectUrl(image);
  const [create, { loading, error }] = useMutation(CREATE_PROOF, { refetchQueries: AFTER_PROOF });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const input = { content, videoUrl: videoUrl || null };
    const result = await create({ variables: { challengeId, input, image } }).catch(() => null);
    if (!result?.data) return;
    setContent("");
    setVideoUrl("");
    setImage(null);
    setFormKey(formKey + 1); // a fresh file input: its value cannot be cleared otherwise
  };

  return (
    <form key={formKey} className="card" onSubmit={submit} aria-label={t("postProof")}>
      <h2>{t("postProof")}</h2>
      <Field label={t("proofContent")}>
        <textarea name="content" required value={content} onChange={(e) => setContent(e.target.value)} />
      </Field>
      <div className="row">
        <Field label={t("image")}>
          <input name="image" type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={(e) => setImage(e.target.files?.[0] ?? null)} />
        </Field>
        <Field label={t("videoUrl")}>
          <input name="videoUrl" type="url" value={videoUrl} onChange={(e) => setVideoUrl(e.target.value)} />
        </Field>
      </div>
      {preview ? <img className="preview" src={preview} alt="" width={160} height={120} /> : null}
      <ErrorNote error={error} />
      <button type="submit" disabled={loading}>{t("post")}</button>
    </form>
  );
}

function ProofCard({ proof, leader }: { proof: ProofItemFragment; leader: boolean }) {
  const { t } = useI18n();
  const [review, { loading, error }] = useMutation(REVIEW_PROOF, { refetchQueries: AFTER_PROOF });
  const decide = (decision: "APPROVED" | "DENIED") =>
    void review({ variables: { id: proof.id, decision } }).catch(() => undefined);
  return (
    <article className="proof" data-status={proof.status}>
      <header>
        <Avatar url={proof.author.profileImageUrl} name={proof.author.nickname} />
        <strong>{proof.author.nickname}</strong>
        <span className={`badge ${proof.status.toLowerCase()}`}>{t(proof.status)}</span>
        <small>{new Date(proof.createdAt).toLocaleString()}</small>
      </header>
      {proof.imageUrl ? <img className="proof-image" src={proof.imageUrl} alt="" width={320} height={240} loading="lazy" /> : null}
      <p>{proof.content}</p>
      {proof.videoUrl ? <a href={proof.videoUrl} rel="noreferrer noopener" target="_blank">{proof.videoUrl}</a> : null}
      {leader && proof.status === "WAITING" ? (
        <div className="actions">
          <button disabled={loading} onClick={() => decide("APPROVED")}>{t("approve")}</button>
          <button className="secondary" disabled={loading} onClick={() => decide("DENIED")}>{t("deny")}</button>
        </div>
      ) : null}
      <ErrorNote error={error} />
    </article>
  );
}

function useObjectUrl(file: File | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file) return setUrl(null);
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file]);
  return url;
}
