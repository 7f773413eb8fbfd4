package dev.bulwark.audit.spi;

import dev.bulwark.common.Bytes;
import java.util.Objects;

/**
 * One event as a store holds it: what the writer sealed, never interpreted by the store.
 *
 * @param seq sequence number the writer assigned (a damaged record whose number cannot be read
 *     carries -1)
 * @param payload canonical event bytes ({@link dev.bulwark.audit.CanonicalEncoding})
 * @param chainHash chain hash of this event (32 bytes)
 * @param mac HMAC tag over the chain hash when the log is keyed, otherwise empty
 * @param location where the record lives (file and offset, table and key), for findings
 * @param damage null for a readable record; otherwise what a store found wrong while reading it
 *     (bad CRC, unreadable frame). Stores report damage instead of throwing or skipping.
 */
public record StoredEvent(long seq, Bytes payload, Bytes chainHash, Bytes mac, String location, String damage) {

  /**
   * The largest sequence number a log can hold (2^62 - 1): far beyond any real log, and low
   * enough that every count and offset computed from sequence numbers stays inside a
   * {@code long}. A stored record claiming more is damage, and stores report it as such.
   */
  public static final long MAX_SEQ = (1L << 62) - 1;

  public StoredEvent {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(chainHash, "chainHash");
    Objects.requireNonNull(mac, "mac");
    Objects.requireNonNull(location, "location");
    if (damage == null && (seq < 0 || seq > MAX_SEQ || chainHash.length() != 32 || (mac.length() != 0 && mac.length() != 32))) {
      throw new IllegalArgumentException("undamaged records need 0 <= seq <= MAX_SEQ, a 32-byte chain hash and an empty or 32-byte MAC");
    }
  }

  /** A readable record. */
  public static StoredEvent of(long seq, Bytes payload, Bytes chainHash, Bytes mac, String location) {
    return new StoredEvent(seq, payload, chainHash, mac, location, null);
  }

  /** A record a store could not read; {@code seq} is -1 when unknown. */
  public static StoredEvent damaged(long seq, String location, String damage) {
    return new StoredEvent(seq, Bytes.empty(), Bytes.empty(), Bytes.empty(), location, Objects.requireNonNull(damage));
  }

  public boolean isDamaged() {
    return damage != null;
  }

  /** The same record at another location (stores set the location when they read). */
  public StoredEvent at(String newLocation) {
    return new StoredEvent(seq, payload, chainHash, mac, newLocation, damage);
  }
}
