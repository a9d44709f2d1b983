/**
 * Where pending ACME HTTP-01 key authorizations wait for the CA to fetch them. Shared by
 * every API process, because the CA's request may reach any of them.
 */
export interface AcmeChallengeStore {
  set(token: string, keyAuthorization: string): Promise<void>;
  /** undefined when the token is unknown or has expired. */
  find(token: string): Promise<string | undefined>;
  /** Removing an unknown token is not an error. */
  remove(token: string): Promise<void>;
}
