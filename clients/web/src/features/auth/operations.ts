import { graphql } from "../../gql";

export const VIEWER = graphql(`
  query Viewer {
    me { id nickname email bricksCount profileImageUrl }
  }
`);

export const REQUEST_CODE = graphql(`
  mutation RequestEmailVerification($email: String!) {
    requestEmailVerification(email: $email)
  }
`);

export const SIGN_UP = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { accessTokenExpiresAt member { id nickname email bricksCount profileImageUrl } }
  }
`);

export const LOG_IN = graphql(`
  mutation LogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      accessTokenExpiresAt
      member { id nickname email bricksCount profileImageUrl }
    }
  }
`);

export const LOG_OUT = graphql(`
  mutation LogOut {
    logOut
  }
`);
