import { graphql } from "../../gql";

export const CHALLENGE_CARD = graphql(`
  fragment ChallengeCard on Challenge {
    id title category status startDate dueDate currentAttendance limitAttendance thumbnailImageUrl
  }
`);

export const CHALLENGES = graphql(`
  query Challenges($filter: ChallengeFilter, $sort: ChallengeSort, $after: String) {
    challenges(filter: $filter, sort: $sort, first: 12, after: $after) {
      totalCount
      edges { cursor node { ...ChallengeCard } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CHALLENGE = graphql(`
  query Challenge($id: ID!) {
    challenge(id: $id) {
      ...ChallengeCard
      description frequency authExplanation viewerRole
      schedule { period times }
      leader { id nickname profileImageUrl }
      memberships { role member { id nickname profileImageUrl } }
    }
  }
`);

export const MY_PROGRESS = graphql(`
  query MyProgress($id: ID!) {
    challenge(id: $id) {
      id
      viewerProgress { required approved waiting rate misses currentStreak bestStreak doneThisPeriod rank }
    }
  }
`);

export const LEADERBOARD = graphql(`
  query Leaderboard($id: ID!, $after: String) {
    challenge(id: $id) {
      id
      leaderboard(first: 10, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { rank rate misses approved currentStreak member { id nickname profileImageUrl } } }
      }
    }
  }
`);

export const CREATE_CHALLENGE = graphql(`
  mutation CreateChallenge($input: CreateChallengeInput!, $thumbnail: Upload) {
    createChallenge(input: $input, thumbnail: $thumbnail) { ...ChallengeCard viewerRole }
  }
`);

export const JOIN_CHALLENGE = graphql(`
  mutation JoinChallenge($id: ID!) {
    joinChallenge(id: $id) { role challenge { id currentAttendance viewerRole } }
  }
`);

export const LEAVE_CHALLENGE = graphql(`
  mutation LeaveChallenge($id: ID!) {
    leaveChallenge(id: $id)
  }
`);
