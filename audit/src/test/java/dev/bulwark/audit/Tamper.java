package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Attacks on a list of stored records, as someone with write access to the store would run them. */
final class Tamper {
  private Tamper() {}

  static List<StoredEvent> flip(List<StoredEvent> in, int index, int field, int bit) {
    List<StoredEvent> out = new ArrayList<>(in);
    StoredEvent e = in.get(index);
    byte[] p = e.payload().toByteArray();
    byte[] c = e.chainHash().toByteArray();
    byte[] m = e.mac().toByteArray();
    byte[] target = field == 0 || m.length == 0 ? p : field == 1 ? c : m;
    int pos = Math.floorMod(bit / 8, target.length);
    target[pos] ^= (byte) (1 << (bit & 7));
    out.set(index, StoredEvent.of(e.seq(), Bytes.of(p), Bytes.of(c), Bytes.of(m), e.location()));
    return out;
  }

  static List<StoredEvent> delete(List<StoredEvent> in, int index) {
    List<StoredEvent> out = new ArrayList<>(in);
    out.remove(index);
    return out;
  }

  static List<StoredEvent> swap(List<StoredEvent> in, int i, int j) {
    List<StoredEvent> out = new ArrayList<>(in);
    out.set(i, in.get(j));
    out.set(j, in.get(i));
    return out;
  }

  /** Replaces event {@code index} with a forged one and recomputes the plain chain from there on (MACs cannot be recomputed). */
  static List<StoredEvent> forge(List<StoredEvent> in, int index, String origin) {
    List<StoredEvent> out = new ArrayList<>(in.subList(0, index));
    byte[] prev = index == 0 ? new byte[32] : in.get(index - 1).chainHash().toByteArray();
    byte[] originUtf8 = origin.getBytes(StandardCharsets.UTF_8);
    for (int i = index; i < in.size(); i++) {
      StoredEvent e = in.get(i);
      Bytes payload = e.payload();
      if (i == index) {
        try {
          LoggedEvent le = CanonicalEncoding.decode(payload);
          AuditEvent ev = le.event();
          AuditEvent forged = new AuditEvent(ev.eventId(), ev.occurredAt(), Action.AUTHZ_ADMIN, Actor.user("mallory", "none"),
              ev.tenant(), ev.target(), Outcome.SUCCESS, "forged", ev.severity(), ev.correlationId(), ev.source(), ev.details());
          payload = CanonicalEncoding.encode(new LoggedEvent(le.seq(), le.recordedAt(), forged));
        } catch (AuditFormatException ex) {
          throw new IllegalStateException(ex);
        }
      }
      byte[] chain = Hashes.chain(originUtf8, e.seq(), prev, Hashes.leaf(payload.toByteArray()));
      out.add(StoredEvent.of(e.seq(), payload, Bytes.of(chain), e.mac(), e.location()));
      prev = chain;
    }
    return out;
  }
}
