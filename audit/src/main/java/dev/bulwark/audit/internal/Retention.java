package dev.bulwark.audit.internal;

import dev.bulwark.audit.AuditException;
import dev.bulwark.audit.AuditFormatException;
import dev.bulwark.audit.CanonicalEncoding;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.Segment;
import dev.bulwark.audit.spi.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which sealed segments retention may remove, and what the prune receipt records about the cut.
 * Not part of the API.
 */
public final class Retention {

  private Retention() {}

  /**
   * The oldest segments retention may remove: from the oldest end, stopping at the first one
   * that is held, unsealed, or holds an event recorded at or after {@code limit}.
   *
   * @param cut the first sequence number that stays (the segment boundary)
   * @param segments how many segments go
   */
  public record Plan(long cut, int segments) {}

  /** The plan for {@code segs} (oldest first), or null when nothing is eligible beyond {@code firstSeq}. */
  public static Plan plan(AuditStore store, List<Segment> segs, Instant limit, long firstSeq) {
    long cut = -1;
    int count = 0;
    for (Segment s : segs) {
      if (!s.sealed() || s.legalHold()) {
        break;
      }
      if (s.count() > 0 && !recordedAt(store, s.lastSeq()).isBefore(limit)) {
        break;
      }
      cut = s.lastSeq() + 1;
      count++;
    }
    return cut <= firstSeq ? null : new Plan(cut, count);
  }

  private static Instant recordedAt(AuditStore store, long seq) {
    try (Stream<StoredEvent> s = store.read(seq)) {
      StoredEvent e = s.findFirst().orElseThrow(() -> new AuditException("event " + seq + " missing"));
      return CanonicalEncoding.decode(e.payload()).recordedAt();
    } catch (AuditFormatException e) {
      throw new AuditException("event " + seq + " is unreadable; retention stops", e);
    }
  }

  /** The stored chain hash of event {@code seq}; throws when it is missing or damaged. */
  public static byte[] chainHashOf(AuditStore store, long seq) {
    try (Stream<StoredEvent> s = store.read(seq)) {
      StoredEvent e = s.findFirst().orElseThrow(() -> new AuditException("event " + seq + " missing"));
      if (e.seq() != seq || e.isDamaged()) {
        throw new AuditException("event " + seq + " is damaged; retention stops");
      }
      return e.chainHash().toByteArray();
    }
  }
}
