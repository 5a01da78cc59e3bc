// Search and list challenges: filters in the URL (so a list can be linked and reloaded), pages
// appended with fetchMore (cursor paging, merged by the `challenges` type policy).
import { useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";

import type { Category, ChallengeSort, ChallengeStatus } from "../../gql/graphql";
import { useI18n } from "../../i18n";
import { Link, navigate, useLocation } from "../../router";
import { ErrorNote } from "../../ui";
import { CHALLENGES } from "./operations";
import { ChallengeCard } from "./ChallengeCard";

export const CATEGORIES: Category[] = [
  "IT", "FOREIGN_LANGUAGE", "MATH", "SCIENCE", "HUMANITIES", "ARTS_AND_PHYSICAL_EDUCATION", "ETC",
];
const STATUSES: ChallengeStatus[] = ["UPCOMING", "ONGOING", "FINISHED"];
const SORTS: ChallengeSort[] = ["LATEST", "POPULAR", "STARTING_SOON"];

export function ChallengeList() {
  const { t } = useI18n();
  const { params } = useLocation();
  const category = (params.get("category") as Category | null) || null;
  const status = (params.get("status") as ChallengeStatus | null) || null;
  const sort = (params.get("sort") as ChallengeSort | null) || "LATEST";
  const query = params.get("q") || null;
  const [keyword, setKeyword] = useState(query ?? "");
  const { data, loading, error, fetchMore } = useQuery(CHALLENGES, {
    variables: { filter: { category, status, query }, sort },
  });

  const change = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    navigate(`/?${next.toString()}`, { replace: true });
  };
  const search = (event: FormEvent) => {
    event.preventDefault();
    change("q", keyword.trim());
  };
  const connection = data?.challenges;

  return (
    <section>
      <div className="toolbar">
        <h1>{t("challenges")}</h1>
        <Link className="button" to="/challenges/new">{t("newChallenge")}</Link>
      </div>
      <form className="filters" onSubmit={search} role="search">
        <input aria-label={t("keyword")} placeholder={t("keyword")} value={keyword} onChange={(e) => setKeyword(e.target.value)} />
        <button type="submit">{t("search")}</button>
        <select aria-label={t("category")} value={category ?? ""} onChange={(e) => change("category", e.target.value)}>
          <option value="">{t("category")}: {t("all")}</option>
          {CATEGORIES.map((value) => <option key={value} value={value}>{t(value)}</option>)}
        </select>
        <select aria-label={t("status")} value={status ?? ""} onChange={(e) => change("status", e.target.value)}>
          <option value="">{t("status")}: {t("all")}</option>
          {STATUSES.map((value) => <option key={value} value={value}>{t(value)}</option>)}
        </select>
        <select aria-label={t("sort")} value={sort} onChange={(e) => change("sort", e.target.value)}>
          {SORTS.map((value) => <option key={value} value={value}>{t(value)}</option>)}
        </select>
      </form>
      <ErrorNote error={error} />
      {loading && !connection ? <p>{t("loading")}</p> : null}
      {connection && connection.edges.length === 0 ? <p>{t("nothingFound")}</p> : null}
      <ul className="cards">
        {connection?.edges.map(({ node }) => (
          <li key={node.id}>
            <ChallengeCard challenge={node} />
          </li>
        ))}
      </ul>
      {connection?.pageInfo.hasNextPage ? (
        <button
          className="secondary"
          disabled={loading}
          onClick={() => void fetchMore({ variables: { after: connection.pageInfo.endCursor } })}
        >
          {t("more")}
        </button>
      ) : null}
    </section>
  );
}
