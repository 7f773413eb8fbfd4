package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.testing.Gen;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CanonicalEncodingProperties {

  static Gen<LoggedEvent> events() {
    Gen<String> pieces = Generators.lists(
        Generators.oneOf("a", "\u00e9", "\u2028", "\u202e", "\u0085", "\r", "\n", "\t", "\ud83d\ude00", "\u0000"), 0, 20)
        .map(parts -> String.join("", parts));
    Gen<String> text = Generators.mixOf(Generators.text(0, 40), Generators.printableAscii(0, 1100), pieces);
    Gen<String> key = Generators.strings('a', 'z', 1, 10)
        .filter(k -> !k.contains("pin") && !k.contains("otp") && !k.contains("seed") && !k.contains("token")
            && !k.contains("secret") && !k.contains("password") && !k.equals("pwd") && !k.equals("cookie") && !k.equals("cvv"));
    Gen<Long> seqs = Generators.longs(0, Long.MAX_VALUE / 2);
    Gen<Map<String, String>> detailMaps = Generators.maps(key, text, 5);
    Gen<Long> millisGen = Generators.longs(-1_000_000_000_000L, 4_000_000_000_000L);
    Gen<Outcome> outcomes = Generators.oneOf(Outcome.values());
    Gen<ActorType> types = Generators.oneOf(ActorType.values());
    return r -> {
      long seq = seqs.next(r);
      String id = text.next(r);
      String tenant = r.nextDouble() < 0.3 ? null : text.next(r);
      Map<String, String> details = detailMaps.next(r);
      long millis = millisGen.next(r);
      Outcome outcome = outcomes.next(r);
      ActorType type = types.next(r);
      return new LoggedEvent(seq, Instant.ofEpochMilli(millis).plusNanos(123_456),
          new AuditEvent(UUID.randomUUID(), Instant.ofEpochMilli(millis / 2), Action.AUTHZ_CHANGE,
              new Actor(type, id, null, tenant), tenant, tenant == null ? null : new Target("t", id), outcome, tenant,
              Severity.WARN, id, new Source(tenant, id, null, "app"), details));
    };
  }

  /** Printable ASCII, any byte, and the bytes at the edges of the printable range, mixed. */
  private static Gen<Byte> edgeBytes() {
    return Generators.mixOf(Generators.ints(0x20, 0x7e), Generators.ints(-128, 127),
        Generators.oneOf(0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff, 0x00, 0x9f)).map(Integer::byteValue);
  }

  /** The word-at-a-time printable-ASCII test agrees with a byte-by-byte one on every range. */
  @Test
  void printableAsciiCheck_agreesWithTheByteByByteDefinition() {
    Gen<Byte> bytes = edgeBytes();
    PropertyRunner.forAll(2000, c -> {
      int len = c.draw("len", Generators.ints(0, 40));
      byte[] b = new byte[len];
      for (int i = 0; i < len; i++) {
        b[i] = c.draw("b" + i, Generators.mixOf(Generators.ints(0x20, 0x7e).map(Integer::byteValue), bytes));
      }
      int start = c.draw("start", Generators.ints(0, len));
      int end = c.draw("end", Generators.ints(start, len));
      boolean expected = true;
      for (int i = start; i < end; i++) {
        expected &= b[i] >= 0x20 && b[i] != 0x7f;
      }
      assertEquals(expected, CanonicalEncoding.Checker.isPrintableAscii(b, start, end));
    });
  }

  @Test
  void decode_inverts_encode() {
    PropertyRunner.forAll(300, c -> {
      LoggedEvent e = c.draw("e", events());
      assertEquals(e, CanonicalEncoding.decode(CanonicalEncoding.encode(e)));
    });
  }

  @Test
  void everyByteFlip_isRejectedOrChangesTheEvent() {
    PropertyRunner.forAll(300, c -> {
      LoggedEvent e = c.draw("e", events());
      int pos = c.draw("pos", Generators.ints(0, 100_000));
      int xor = c.draw("xor", Generators.ints(1, 255));
      byte[] b = CanonicalEncoding.encode(e).toByteArray();
      b[pos % b.length] ^= (byte) xor;
      try {
        assertNotEquals(e, CanonicalEncoding.decode(Bytes.of(b)));
      } catch (AuditFormatException expected) {
        // rejected: fine
      }
    });
  }

  @Test
  void truncationAndTrailingBytes_areRejected() {
    PropertyRunner.forAll(100, c -> {
      LoggedEvent e = c.draw("e", events());
      int cut = c.draw("cut", Generators.ints(1, 1000));
      byte[] b = CanonicalEncoding.encode(e).toByteArray();
      byte[] shorter = java.util.Arrays.copyOf(b, Math.max(0, b.length - 1 - cut % b.length));
      assertThrows(AuditFormatException.class, () -> CanonicalEncoding.decode(Bytes.of(shorter)));
      byte[] longer = java.util.Arrays.copyOf(b, b.length + 1);
      assertThrows(AuditFormatException.class, () -> CanonicalEncoding.decode(Bytes.of(longer)));
    });
  }

  /**
   * The verifier's one-pass check accepts exactly what decode accepts (decode re-encodes and
   * compares, so it is the definition of canonical), for valid events and for every kind of
   * damage: flipped bytes, inserted and deleted bytes, bytes overwritten with control
   * characters, stray UTF-8 and length fields.
   */
  @Test
  void check_acceptsExactlyWhatDecodeAccepts() {
    PropertyRunner.forAll(2000, tc -> {
      LoggedEvent e = tc.draw("e", events());
      int kind = tc.draw("kind", Generators.ints(0, 6));
      int pos = tc.draw("pos", Generators.ints(0, 100_000));
      int value = tc.draw("value", Generators.ints(0, 255));
      byte[] b = CanonicalEncoding.encode(e).toByteArray();
      int at = pos % b.length;
      switch (kind) {
        case 0:
          break;
        case 1:
          b[at] ^= (byte) Math.max(1, value);
          break;
        case 2:
          b[at] = (byte) value;
          break;
        case 3: {
          byte[] c = new byte[b.length + 1];
          System.arraycopy(b, 0, c, 0, at);
          c[at] = (byte) value;
          System.arraycopy(b, at, c, at + 1, b.length - at);
          b = c;
          break;
        }
        case 4: {
          byte[] c = new byte[b.length - 1];
          System.arraycopy(b, 0, c, 0, at);
          System.arraycopy(b, at + 1, c, at, b.length - at - 1);
          b = c;
          break;
        }
        case 5:
          b[at] = (byte) (value % 0x20); // a control character
          break;
        default:
          b[at] = (byte) (0x80 | value); // a stray UTF-8 byte
          break;
      }
      LoggedEvent decoded = null;
      try {
        decoded = CanonicalEncoding.decode(Bytes.of(b));
      } catch (AuditFormatException rejected) {
        // compared below
      }
      CanonicalEncoding.Header h = new CanonicalEncoding.Header();
      boolean checked;
      try {
        CanonicalEncoding.check(b, h);
        checked = true;
      } catch (AuditFormatException rejected) {
        checked = false;
      }
      assertEquals(decoded != null, checked, "kind " + kind + " at " + at);
      if (decoded != null) {
        assertEquals(decoded.seq(), h.seq);
        assertEquals(decoded.event().action().name(), h.action);
      }
    });
  }

  /** What an indexing store keeps is exactly what the event says. */
  @Test
  void indexFields_areTheEventsOwnFields() {
    PropertyRunner.forAll(300, c -> {
      LoggedEvent e = c.draw("e", events());
      dev.bulwark.audit.spi.IndexFields f = CanonicalEncoding.indexFields(CanonicalEncoding.encode(e));
      assertEquals(new dev.bulwark.audit.spi.IndexFields(e.seq(), e.recordedAt(), e.event().occurredAt(), e.event().actor().id(),
          e.event().action().name(), e.event().tenant(), e.event().correlationId()), f);
    });
  }

  /**
   * The branch-free test of short fields (up to 16 bytes, read through a 16-byte window) agrees
   * with the byte-by-byte definition for every length, whatever the bytes around the field are;
   * a single bad byte anywhere in the field fails it, and bad bytes just outside never do.
   */
  @Test
  void shortPrintableAsciiCheck_agreesWithTheByteByByteDefinition() {
    Gen<Byte> bytes = edgeBytes();
    PropertyRunner.forAll(4000, c -> {
      int start = c.draw("start", Generators.ints(0, 12));
      int n = c.draw("n", Generators.ints(0, 16));
      int slack = c.draw("slack", Generators.ints(0, 6));
      byte[] b = new byte[start + 16 + slack];
      for (int i = 0; i < b.length; i++) {
        b[i] = c.draw("b" + i, Generators.mixOf(Generators.ints(0x20, 0x7e).map(Integer::byteValue), bytes));
      }
      boolean expected = true;
      for (int i = start; i < start + n; i++) {
        expected &= b[i] >= 0x20 && b[i] != 0x7f;
      }
      assertEquals(expected, CanonicalEncoding.Checker.isShortPrintableAscii(b, start, n), "start " + start + " n " + n);
      assertEquals(CanonicalEncoding.Checker.isPrintableAscii(b, start, start + n),
          CanonicalEncoding.Checker.isShortPrintableAscii(b, start, n));
      byte[] clean = b.clone();
      for (int i = start; i < start + n; i++) {
        clean[i] = (byte) (0x20 + Math.floorMod(clean[i], 0x5f));
      }
      for (int i = 0; i < start; i++) {
        clean[i] = 0x00;
      }
      for (int i = start + n; i < clean.length; i++) {
        clean[i] = (byte) 0x80;
      }
      assertEquals(true, CanonicalEncoding.Checker.isShortPrintableAscii(clean, start, n));
      for (int at = start; at < start + n; at++) {
        for (byte bad : new byte[] {0x00, 0x1f, 0x7f, (byte) 0x80, (byte) 0xff}) {
          byte keep = clean[at];
          clean[at] = bad;
          assertEquals(false, CanonicalEncoding.Checker.isShortPrintableAscii(clean, start, n), "at " + at);
          clean[at] = keep;
        }
      }
    });
  }

  /** The eight-bytes-at-a-time printable check agrees with the byte-by-byte definition. */
  @Test
  void printableAsciiCheck_matchesItsDefinition() {
    PropertyRunner.forAll(3000, c -> {
      byte[] bytes = c.draw("bytes", Generators.bytes(0, 255));
      int from = c.draw("from", Generators.ints(0, 40));
      int start = Math.min(from, bytes.length);
      boolean expected = true;
      for (int i = start; i < bytes.length; i++) {
        expected &= bytes[i] >= 0x20 && bytes[i] != 0x7f;
      }
      assertEquals(expected, CanonicalEncoding.Checker.isPrintableAscii(bytes, start, bytes.length));
      byte[] printable = new byte[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        printable[i] = (byte) (0x20 + Math.floorMod(bytes[i], 0x5f));
      }
      assertEquals(true, CanonicalEncoding.Checker.isPrintableAscii(printable, start, printable.length));
      if (printable.length > start) {
        int at = start + Math.floorMod(bytes[0], printable.length - start);
        for (byte bad : new byte[] {0x00, 0x1f, 0x7f, (byte) 0x80, (byte) 0xff, 0x0a}) {
          printable[at] = bad;
          assertEquals(false, CanonicalEncoding.Checker.isPrintableAscii(printable, start, printable.length));
        }
      }
    });
  }

  /** Times at the far end of the long range have no microsecond encoding: rejected, never a crash. */
  @Test
  void timesBeyondTheMicrosecondRange_areRejected() {
    PropertyRunner.forAll(200, c -> {
      LoggedEvent e = c.draw("e", events());
      int below = c.draw("below", Generators.ints(0, 1_000_000));
      byte[] b = CanonicalEncoding.encode(e).toByteArray();
      long micros = Long.MIN_VALUE + below;
      for (int i = 0; i < 8; i++) {
        b[9 + i] = (byte) (micros >>> (56 - 8 * i));
      }
      boolean decodes;
      try {
        CanonicalEncoding.decode(Bytes.of(b));
        decodes = true;
      } catch (AuditFormatException rejected) {
        decodes = false;
      }
      boolean checks;
      try {
        CanonicalEncoding.check(b, new CanonicalEncoding.Header());
        checks = true;
      } catch (AuditFormatException rejected) {
        checks = false;
      }
      assertEquals(decodes, checks);
    });
  }

  @Test
  void unknownVersion_isRejected() {
    PropertyRunner.forAll(50, c -> {
      LoggedEvent e = c.draw("e", events());
      byte[] b = CanonicalEncoding.encode(e).toByteArray();
      b[0] = 2;
      assertThrows(AuditFormatException.class, () -> CanonicalEncoding.decode(Bytes.of(b)));
      assertEquals(Map.of(), Map.of());
    });
  }
}
