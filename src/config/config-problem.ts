/** One invalid or missing setting, named by its environment variable. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}
