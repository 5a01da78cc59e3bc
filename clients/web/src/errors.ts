// GraphQL errors as the user should read them: the code (extensions.code, the API's contract)
// picks the wording, the server's message gives the detail, extensions.field the form field.
import { CombinedGraphQLErrors } from "@apollo/client/errors";

export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "QUERY_TOO_COMPLEX"
  | "INTERNAL_SERVER_ERROR"
  | "NETWORK";

export interface Problem {
  code: ErrorCode;
  message: string;
  field?: string;
  retryAfter?: number;
}

export function problemOf(error: unknown): Problem | null {
  if (!error) return null;
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const extensions = (first?.extensions ?? {}) as Record<string, unknown>;
    return {
      code: (extensions.code as ErrorCode | undefined) ?? "INTERNAL_SERVER_ERROR",
      message: first?.message ?? "",
      field: typeof extensions.field === "string" ? extensions.field : undefined,
      retryAfter: typeof extensions.retryAfter === "number" ? extensions.retryAfter : undefined,
    };
  }
  return { code: "NETWORK", message: error instanceof Error ? error.message : String(error) };
}
