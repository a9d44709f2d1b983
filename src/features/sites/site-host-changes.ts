/** Hears what other processes announce about site hosts. */
export interface SiteHostChangeListener {
  /** Another process changed what these hosts (lower-case, no port) serve. */
  onHosts(hosts: readonly string[]): void;
  /**
   * The subscription is in place, first or again after a lost connection. Announcements
   * made while it was down are gone, so the listener re-reads what it keeps.
   */
  onSubscribed(): void;
}

export interface SiteHostSubscription {
  close(): Promise<void>;
}

/**
 * Tells every process, this one excepted, that some site hosts may serve something else now
 * (R-SEC-5): a host went live, moved or was taken down. Delivery is best effort; whoever
 * listens must heal a lost announcement on its own (a periodic full re-read).
 */
export interface SiteHostChanges {
  publish(hosts: readonly string[]): Promise<void>;
  subscribe(listener: SiteHostChangeListener): SiteHostSubscription;
}
