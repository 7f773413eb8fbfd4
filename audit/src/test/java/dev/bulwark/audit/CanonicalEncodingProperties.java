package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class CanonicalEncodingProperties {

  @Provide
  Arbitrary<LoggedEvent> events() {
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<String> key = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10)
        .filter(k -> !k.contains("pin") && !k.contains("otp") && !k.contains("seed") && !k.contains("token")
            && !k.contains("secret") && !k.contains("password") && !k.equals("pwd") && !k.equals("cookie") && !k.equals("cvv"));
    return Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE / 2), text, text.injectNull(0.3),
            Arbitraries.maps(key, text).ofMaxSize(5), Arbitraries.longs().between(-1_000_000_000_000L, 4_000_000_000_000L),
            Arbitraries.of(Outcome.values()), Arbitraries.of(ActorType.values()))
        .as((seq, id, tenant, details, millis, outcome, type) -> new LoggedEvent(seq, Instant.ofEpochMilli(millis).plusNanos(123_456),
            new AuditEvent(UUID.randomUUID(), Instant.ofEpochMilli(millis / 2), Action.AUTHZ_CHANGE,
                new Actor(type, id, null, tenant), tenant, tenant == null ? null : new Target("t", id), outcome, tenant,
                Severity.WARN, id, new Source(tenant, id, null, "app"), details)));
  }

  @Property(tries = 300)
  void decode_inverts_encode(@ForAll("events") LoggedEvent e) throws AuditFormatException {
    assertEquals(e, CanonicalEncoding.decode(CanonicalEncoding.encode(e)));
  }

  @Property(tries = 300)
  void everyByteFlip_isRejectedOrChangesTheEvent(@ForAll("events") LoggedEvent e, @ForAll @IntRange(min = 0, max = 100_000) int pos,
      @ForAll @IntRange(min = 1, max = 255) int xor) {
    byte[] b = CanonicalEncoding.encode(e).toByteArray();
    b[pos % b.length] ^= (byte) xor;
    try {
      assertNotEquals(e, CanonicalEncoding.decode(Bytes.of(b)));
    } catch (AuditFormatException expected) {
      // rejected: fine
    }
  }

  @Property(tries = 100)
  void truncationAndTrailingBytes_areRejected(@ForAll("events") LoggedEvent e, @ForAll @IntRange(min = 1, max = 1000) int cut) {
    byte[] b = CanonicalEncoding.encode(e).toByteArray();
    byte[] shorter = java.util.Arrays.copyOf(b, Math.max(0, b.length - 1 - cut % b.length));
    assertThrows(AuditFormatException.class, () -> CanonicalEncoding.decode(Bytes.of(shorter)));
    byte[] longer = java.util.Arrays.copyOf(b, b.length + 1);
    assertThrows(AuditFormatException.class, () -> CanonicalEncoding.decode(Bytes.of(longer)));
  }

  @Property(tries = 50)
  void unknownVersion_isRejected(@ForAll("events") LoggedEvent e) {
    byte[] b = CanonicalEncoding.encode(e).toByteArray();
    b[0] = 2;
    assertThrows(AuditFormatException.class, () -> CanonicalEncoding.decode(Bytes.of(b)));
    assertEquals(Map.of(), Map.of());
  }
}
