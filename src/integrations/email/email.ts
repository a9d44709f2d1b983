/** One transactional email to one recipient (R-INT-2). */
export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /**
   * Stable per logical message, e.g. `export-ready:<exportId>`: every attempt and every resend
   * of the same notification carries the same key, so it is delivered (or written) once.
   * 1-256 printable ASCII characters without spaces.
   */
  readonly idempotencyKey: string;
  readonly replyTo?: string;
}

export interface SentEmail {
  /** The provider's id for the message (Resend id, or our Message-ID header). */
  readonly messageId: string;
}

/** Sends transactional email; the From address is the adapter's configuration. */
export interface EmailSender {
  /** Throws InvalidInputError for a malformed message, IntegrationFailure / Unavailable otherwise. */
  send(message: EmailMessage): Promise<SentEmail>;
}
