/** A handler's failure that another attempt cannot fix: the job fails at once. */
export class PermanentJobError extends Error {
  override readonly name: string = 'PermanentJobError';
}
