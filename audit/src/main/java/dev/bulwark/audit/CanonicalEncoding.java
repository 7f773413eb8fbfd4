package dev.bulwark.audit;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The canonical, versioned binary encoding of a {@link LoggedEvent}: the bytes that are hashed
 * (RFC 6962 leaf), chained and stored. Deterministic: one event has exactly one encoding, and
 * {@link #decode} rejects anything else (re-encoding must give the same bytes).
 *
 * <pre>
 * u8 version (=1) | u64 seq | i64 recordedAt µs | i64 occurredAt µs | 16 eventId
 * | str action | u8 custom | u8 actorType | str actorId | str authMethod | str onBehalfOf
 * | str tenant | str targetType | str targetId | u8 outcome | str reason | u8 severity
 * | str correlationId | str ip | str userAgent | str host | str app
 * | u16 n | n × (str key | str value), keys ascending
 * str = u16 byte length (0xFFFF = absent) | UTF-8 bytes; integers big-endian
 * </pre>
 *
 * <p>A future version 2 gets its own byte and decoder; version 1 bytes are never re-encoded, so
 * adding a field never changes an old hash. Thread-safe (stateless).
 */
public final class CanonicalEncoding {

  public static final int VERSION_1 = 1;
  private static final int ABSENT = 0xFFFF;

  private CanonicalEncoding() {}

  /** Encodes {@code e}. */
  public static Bytes encode(LoggedEvent e) {
    return Bytes.wrap(encodeToArray(e));
  }

  static byte[] encodeToArray(LoggedEvent le) {
    AuditEvent e = le.event();
    Out out = new Out(256);
    out.u8(VERSION_1);
    out.i64(le.seq());
    out.i64(micros(le.recordedAt()));
    out.i64(micros(e.occurredAt()));
    out.i64(e.eventId().getMostSignificantBits());
    out.i64(e.eventId().getLeastSignificantBits());
    out.str(e.action().name());
    out.u8(e.action().custom() ? 1 : 0);
    out.u8(e.actor().type().code());
    out.str(e.actor().id());
    out.str(e.actor().authMethod());
    out.str(e.actor().onBehalfOf());
    out.str(e.tenant());
    out.str(e.target() == null ? null : e.target().type());
    out.str(e.target() == null ? null : e.target().id());
    out.u8(e.outcome().code());
    out.str(e.reason());
    out.u8(e.severity().code());
    out.str(e.correlationId());
    out.str(e.source().ip());
    out.str(e.source().userAgent());
    out.str(e.source().host());
    out.str(e.source().app());
    out.u16(e.details().size());
    for (Map.Entry<String, String> d : e.details().entrySet()) {
      out.str(d.getKey());
      out.str(d.getValue());
    }
    return out.toArray();
  }

  /**
   * Decodes canonical bytes.
   *
   * @throws AuditFormatException if the bytes are not exactly the canonical encoding of an event
   */
  public static LoggedEvent decode(Bytes canonical) throws AuditFormatException {
    byte[] b = canonical.unsafeArray();
    LoggedEvent event;
    try {
      In in = new In(b);
      int version = in.u8();
      if (version != VERSION_1) {
        throw new AuditFormatException("unknown canonical encoding version " + version);
      }
      long seq = in.i64();
      Instant recordedAt = fromMicros(in.i64());
      Instant occurredAt = fromMicros(in.i64());
      UUID id = new UUID(in.i64(), in.i64());
      String actionName = in.req("action");
      boolean custom = in.u8() == 1;
      Action action = custom ? new Action(actionName, true) : Action.of(actionName);
      ActorType type = ActorType.ofCode(in.u8());
      Actor actor = new Actor(type, in.req("actor id"), in.str(), in.str());
      String tenant = in.str();
      String tType = in.str();
      String tId = in.str();
      Target target = tType == null && tId == null ? null : new Target(tType, tId);
      Outcome outcome = Outcome.ofCode(in.u8());
      String reason = in.str();
      Severity severity = Severity.ofCode(in.u8());
      String corr = in.str();
      Source source = new Source(in.str(), in.str(), in.str(), in.str());
      int n = in.u16();
      Map<String, String> details = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        details.put(in.req("detail key"), in.req("detail value"));
      }
      if (in.remaining() != 0) {
        throw new AuditFormatException("trailing bytes after event");
      }
      event = new LoggedEvent(seq, recordedAt,
          new AuditEvent(id, occurredAt, action, actor, tenant, target, outcome, reason, severity, corr, source, details));
    } catch (AuditFormatException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new AuditFormatException("malformed canonical event: " + e.getMessage(), e);
    }
    if (!Arrays.equals(b, encodeToArray(event))) {
      throw new AuditFormatException("bytes are not in canonical form");
    }
    return event;
  }

  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  static Instant fromMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  private static final class Out {
    private byte[] buf;
    private int len;

    Out(int capacity) {
      buf = new byte[capacity];
    }

    private void ensure(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    void u8(int v) {
      ensure(1);
      buf[len++] = (byte) v;
    }

    void u16(int v) {
      ensure(2);
      buf[len++] = (byte) (v >>> 8);
      buf[len++] = (byte) v;
    }

    void i64(long v) {
      ensure(8);
      for (int s = 56; s >= 0; s -= 8) {
        buf[len++] = (byte) (v >>> s);
      }
    }

    void str(String s) {
      if (s == null) {
        u16(ABSENT);
        return;
      }
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      if (utf8.length >= ABSENT) {
        throw new IllegalArgumentException("string too long for canonical encoding");
      }
      u16(utf8.length);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, buf, len, utf8.length);
      len += utf8.length;
    }

    byte[] toArray() {
      return Arrays.copyOf(buf, len);
    }
  }

  private static final class In {
    private final ByteBuffer buf;

    In(byte[] b) {
      buf = ByteBuffer.wrap(b);
    }

    int remaining() {
      return buf.remaining();
    }

    private void need(int n) throws AuditFormatException {
      if (buf.remaining() < n) {
        throw new AuditFormatException("truncated canonical event");
      }
    }

    int u8() throws AuditFormatException {
      need(1);
      return buf.get() & 0xff;
    }

    int u16() throws AuditFormatException {
      need(2);
      return buf.getShort() & 0xffff;
    }

    long i64() throws AuditFormatException {
      need(8);
      return buf.getLong();
    }

    String str() throws AuditFormatException {
      int n = u16();
      if (n == ABSENT) {
        return null;
      }
      need(n);
      ByteBuffer slice = buf.slice();
      slice.limit(n);
      buf.position(buf.position() + n);
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(slice).toString();
      } catch (CharacterCodingException e) {
        throw new AuditFormatException("invalid UTF-8 in canonical event", e);
      }
    }

    String req(String what) throws AuditFormatException {
      String s = str();
      if (s == null) {
        throw new AuditFormatException(what + " missing");
      }
      return s;
    }
  }
}
