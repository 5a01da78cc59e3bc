import { graphql } from "../../gql";

export const PROOF_ITEM = graphql(`
  fragment ProofItem on Proof {
    id content videoUrl status createdAt imageUrl
    author { id nickname profileImageUrl }
  }
`);

export const PROOFS = graphql(`
  query Proofs($id: ID!, $after: String) {
    challenge(id: $id) {
      id
      proofs(first: 10, after: $after) {
        totalCount
        edges { cursor node { ...ProofItem } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

export const CREATE_PROOF = graphql(`
  mutation CreateProof($challengeId: ID!, $input: ProofInput!, $image: Upload) {
    createProof(challengeId: $challengeId, input: $input, image: $image) { ...ProofItem }
  }
`);

export const REVIEW_PROOF = graphql(`
  mutation ReviewProof($id: ID!, $decision: ProofDecision!) {
    reviewProof(id: $id, decision: $decision) { id status }
  }
`);
