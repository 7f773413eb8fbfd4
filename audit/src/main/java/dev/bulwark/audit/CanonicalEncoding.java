package dev.bulwark.audit;

import dev.bulwark.audit.internal.Text;
import dev.bulwark.audit.spi.IndexFields;
import dev.bulwark.common.Bytes;
import dev.bulwark.common.internal.ByteAccess;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
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
 *
 * <p>Size: longer than Bulwark's usual 600 lines because the encoder, the decoder and the
 * verifier's allocation-free checker of one byte format stay together, so that they accept
 * exactly the same bytes (a property test holds them to it).
 */
public final class CanonicalEncoding {

  public static final int VERSION_1 = 1;
  private static final int ABSENT = 0xFFFF;

  private CanonicalEncoding() {}

  /** Encodes {@code e}. */
  public static Bytes encode(LoggedEvent e) {
    return ByteAccess.wrap(encodeToArray(e));
  }

  static byte[] encodeToArray(LoggedEvent le) {
    Out out = new Out(256);
    encodeInto(out, le.seq(), micros(le.recordedAt()), le.event());
    return out.toArray();
  }

  /** Appends the canonical bytes of {@code e} as event {@code seq} recorded at {@code recordedAtMicros} to {@code out}. */
  static void encodeInto(Out out, long seq, long recordedAtMicros, AuditEvent e) {
    out.u8(VERSION_1);
    out.i64(seq);
    out.i64(recordedAtMicros);
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
  }

  /**
   * Decodes canonical bytes.
   *
   * @throws AuditFormatException if the bytes are not exactly the canonical encoding of an event
   */
  public static LoggedEvent decode(Bytes canonical) throws AuditFormatException {
    return decode(ByteAccess.array(canonical), SCRATCH.get());
  }

  private static final ThreadLocal<Out> SCRATCH = ThreadLocal.withInitial(() -> new Out(512));

  /**
   * Decodes {@code b} (strictly: the event must re-encode to exactly these bytes), re-encoding
   * into {@code scratch} instead of a fresh array.
   */
  static LoggedEvent decode(byte[] b, Out scratch) throws AuditFormatException {
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
      Map<String, String> details = n == 0 ? Map.of() : new LinkedHashMap<>();
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
    scratch.reset();
    try {
      encodeInto(scratch, event.seq(), micros(event.recordedAt()), event.event());
    } catch (RuntimeException e) {
      // Times so close to the long range's end that they have no microsecond encoding.
      throw new AuditFormatException("malformed canonical event: " + e.getMessage(), e);
    }
    if (!Arrays.equals(b, 0, b.length, scratch.buf, 0, scratch.len)) {
      throw new AuditFormatException("bytes are not in canonical form");
    }
    return event;
  }

  private static final ThreadLocal<Header> HEADERS = ThreadLocal.withInitial(Header::new);

  /**
   * The fields an indexing store keeps beside the canonical bytes, read without building the
   * event. The bytes are checked exactly as {@link #decode} checks them.
   *
   * @throws AuditFormatException if the bytes are not the canonical encoding of an event
   */
  public static IndexFields indexFields(Bytes canonical) throws AuditFormatException {
    byte[] b = ByteAccess.array(canonical);
    Header h = HEADERS.get();
    check(b, h);
    return new IndexFields(h.seq, fromMicros(h.recordedMicros), fromMicros(h.occurredMicros),
        text(b, h.actorAt, h.actorLen), h.action, text(b, h.tenantAt, h.tenantLen),
        text(b, h.correlationAt, h.correlationLen));
  }

  private static String text(byte[] b, int at, int len) {
    return len < 0 ? null : new String(b, at, len, StandardCharsets.UTF_8);
  }

  /**
   * What {@link #check} learns about an event without building it. Reuse one per thread: it
   * remembers the few action names and detail keys it has already validated (an application
   * uses a handful), so most events need no string building or hashing for them.
   */
  static final class Header {
    long seq;
    /** The action's name (a vocabulary constant's own string when it is one). */
    String action;
    long recordedMicros;
    long occurredMicros;
    // Where the indexed texts are (length -1: absent).
    int actorAt;
    int actorLen;
    int tenantAt;
    int tenantLen;
    int correlationAt;
    int correlationLen;
    private final byte[][] actionBytes = new byte[16][];
    private final String[] actionNames = new String[16];
    private int actions;
    private final byte[][] keys = new byte[32][];
    private int keyCount;

    /** A vocabulary action (custom == 0) already validated with exactly these bytes, or null. */
    String knownAction(byte[] b, int off, int len) {
      for (int i = 0; i < actions; i++) {
        byte[] a = actionBytes[i];
        if (a.length == len && Arrays.equals(a, 0, len, b, off, off + len)) {
          return actionNames[i];
        }
      }
      return null;
    }

    void rememberAction(byte[] b, int off, int len, String name) {
      if (actions < actionBytes.length) {
        actionBytes[actions] = Arrays.copyOfRange(b, off, off + len);
        actionNames[actions++] = name;
      }
    }

    /** Whether these bytes were already accepted as a detail key. */
    boolean knownKey(byte[] b, int off, int len) {
      for (int i = 0; i < keyCount; i++) {
        byte[] k = keys[i];
        if (k.length == len && Arrays.equals(k, 0, len, b, off, off + len)) {
          return true;
        }
      }
      return false;
    }

    void rememberKey(byte[] b, int off, int len) {
      if (keyCount < keys.length) {
        keys[keyCount++] = Arrays.copyOfRange(b, off, off + len);
      }
    }
  }

  /**
   * Accepts exactly the byte strings {@link #decode} accepts (the canonical encodings of valid
   * events) without building the event: one pass over the bytes, no objects for ASCII text. The
   * verifier calls it for every event and decodes in full only the few it must read.
   *
   * @throws AuditFormatException for exactly the inputs decode rejects (the message may differ)
   */
  static void check(byte[] b, Header out) throws AuditFormatException {
    Checker c = new Checker(b);
    try {
      if (c.u8() != VERSION_1) {
        throw new AuditFormatException("unknown canonical encoding version " + (b[0] & 0xff));
      }
      long seq = c.i64();
      if (seq < 0) {
        throw new AuditFormatException("malformed canonical event: seq must be >= 0");
      }
      out.recordedMicros = c.micros();
      out.occurredMicros = c.micros();
      c.skip(16);
      int actionAt = c.pos + 2;
      int actionLen = c.text(64, true, false);
      int custom = c.u8();
      String action = custom == 0 ? out.knownAction(b, actionAt, actionLen) : null;
      if (action == null) {
        action = new String(b, actionAt, actionLen, StandardCharsets.ISO_8859_1);
        if (custom == 0) {
          if (!Action.isVocabulary(action)) {
            throw new AuditFormatException("not an OWASP logging vocabulary action");
          }
          action = Action.of(action).name();
          out.rememberAction(b, actionAt, actionLen, action);
        } else if (custom != 1 || !Checker.isActionName(b, actionAt, actionLen)) {
          throw new AuditFormatException("malformed custom action");
        }
      }
      ActorType.ofCode(c.u8());
      out.actorAt = c.pos + 2;
      out.actorLen = c.text(256, true, true);
      c.text(64, false, true); // auth method
      c.text(256, false, true); // on behalf of
      out.tenantAt = c.pos + 2;
      out.tenantLen = c.text(128, false, true);
      boolean targetType = c.text(64, false, true) >= 0;
      boolean targetId = c.text(256, false, true) >= 0;
      if (targetType != targetId) {
        throw new AuditFormatException("malformed canonical event: target needs a type and an id");
      }
      Outcome.ofCode(c.u8());
      c.text(1024, false, true); // reason
      Severity.ofCode(c.u8());
      out.correlationAt = c.pos + 2;
      out.correlationLen = c.text(128, false, true);
      c.text(64, false, true); // ip
      c.text(512, false, true); // user agent
      c.text(256, false, true); // host
      c.text(128, false, true); // app
      int n = c.u16();
      if (n > AuditEvent.MAX_DETAILS) {
        throw new AuditFormatException("malformed canonical event: too many details");
      }
      int previousKeyAt = -1;
      int previousKeyLen = 0;
      for (int i = 0; i < n; i++) {
        int keyAt = c.pos + 2;
        int keyLen = c.text(Integer.MAX_VALUE, true, false);
        if (!out.knownKey(b, keyAt, keyLen)) {
          Text.checkDetailKey(new String(b, keyAt, keyLen, StandardCharsets.UTF_8));
          out.rememberKey(b, keyAt, keyLen);
        }
        // Keys are ASCII (checked above), so byte order is the String order the event sorts by.
        if (previousKeyAt >= 0 && Arrays.compareUnsigned(b, previousKeyAt, previousKeyAt + previousKeyLen, b, keyAt, keyAt + keyLen) >= 0) {
          throw new AuditFormatException("bytes are not in canonical form (detail keys must ascend)");
        }
        previousKeyAt = keyAt;
        previousKeyLen = keyLen;
        int valueAt = c.pos + 2;
        int valueLen = c.text(AuditEvent.MAX_DETAIL_VALUE_CHARS, true, true);
        if (valueLen >= 15) {
          // Both credential patterns need at least 15 characters (so at least 15 bytes).
          Text.checkDetailValue("detail", new String(b, valueAt, valueLen, StandardCharsets.UTF_8));
        }
      }
      if (c.pos != b.length) {
        throw new AuditFormatException("trailing bytes after event");
      }
      out.seq = seq;
      out.action = action;
    } catch (AuditFormatException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new AuditFormatException("malformed canonical event: " + e.getMessage(), e);
    }
  }

  /**
   * The fixed-width reads both byte readers share ({@link Checker} for {@link #check},
   * {@link In} for {@link #decode}): big-endian, each refusing to run past the end.
   */
  private abstract static class Reader {
    final byte[] b;
    int pos;
    CharsetDecoder utf8;

    Reader(byte[] b) {
      this.b = b;
    }

    final void need(int n) throws AuditFormatException {
      if (b.length - pos < n) {
        throw new AuditFormatException("truncated canonical event");
      }
    }

    final void skip(int n) throws AuditFormatException {
      need(n);
      pos += n;
    }

    final int u8() throws AuditFormatException {
      need(1);
      return b[pos++] & 0xff;
    }

    final int u16() throws AuditFormatException {
      need(2);
      int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
      pos += 2;
      return v;
    }

    final long i64() throws AuditFormatException {
      need(8);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (b[pos + i] & 0xff);
      }
      pos += 8;
      return v;
    }
  }

  /** The byte reader of {@link #check}. */
  static final class Checker extends Reader {
    Checker(byte[] b) {
      super(b);
    }

    /** A time in microseconds that survives decode and re-encode. */
    long micros() throws AuditFormatException {
      long m = i64();
      // decode's re-encoding multiplies the whole seconds by 10^6, which overflows below this.
      if (Math.floorDiv(m, 1_000_000L) < Long.MIN_VALUE / 1_000_000L) {
        throw new AuditFormatException("malformed canonical event: time out of range");
      }
      return m;
    }

    /**
     * A {@code str} field: returns its byte length, or -1 when absent (allowed only if not
     * {@code required}). With {@code cleaned}, the text must be what the event's constructor
     * keeps unchanged ({@link Text#clean} with {@code maxChars}), else re-encoding would differ.
     */
    int text(int maxChars, boolean required, boolean cleaned) throws AuditFormatException {
      int n = u16();
      if (n == ABSENT) {
        if (required) {
          throw new AuditFormatException("required text missing");
        }
        return -1;
      }
      need(n);
      int start = pos;
      int end = start + n;
      pos = end;
      if (n <= 16 && start + 16 <= b.length) {
        // Most fields: one branch-free test of a 16-byte window (see isShortPrintableAscii).
        if (isShortPrintableAscii(b, start, n) && (!cleaned || n <= maxChars)) {
          return n;
        }
      }
      boolean printableAscii = isPrintableAscii(b, start, end);
      if (printableAscii) {
        if (cleaned && n > maxChars) {
          throw new AuditFormatException("bytes are not in canonical form (text too long)");
        }
        return n;
      }
      String s;
      if (utf8 == null) {
        utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
      }
      try {
        s = utf8.reset().decode(ByteBuffer.wrap(b, start, n)).toString();
      } catch (CharacterCodingException e) {
        throw new AuditFormatException("invalid UTF-8 in canonical event", e);
      }
      if (cleaned && !Text.clean(s, maxChars).equals(s)) {
        throw new AuditFormatException("bytes are not in canonical form (text needs escaping)");
      }
      return n;
    }

    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    /**
     * Every byte in {@code b[start, end)} is in {@code [0x20, 0x7e]}, checked eight bytes at a
     * time and without a branch per word: with no byte at or above 0x80, adding 0x60 to every byte
     * sets its top bit exactly when the byte is at least 0x20, and adding 0x01 sets it exactly
     * when the byte is 0x7f, without carries between bytes (a word with a byte at or above 0x80
     * fails on its own top bit, whatever the additions do). A range that is not a multiple of
     * eight bytes is finished with one word that overlaps bytes already checked, or, for a range
     * shorter than a word, one word read around it with the bytes outside replaced by {@code 'A'}.
     */
    static boolean isPrintableAscii(byte[] b, int start, int end) {
      int n = end - start;
      if (n >= 8) {
        long bad = 0;
        int i = start;
        for (; i + 8 <= end; i += 8) {
          bad |= notPrintable((long) LONGS.get(b, i));
        }
        if (i < end) {
          bad |= notPrintable((long) LONGS.get(b, end - 8));
        }
        return bad == 0;
      }
      if (n <= 0) {
        return true;
      }
      if (start + 8 <= b.length) {
        long keep = (1L << (8 * n)) - 1; // the n low-order bytes: b[start, end) in little-endian order
        long x = (long) LONGS.get(b, start);
        return notPrintable((x & keep) | (FILLER & ~keep)) == 0;
      }
      if (end >= 8) {
        long keep = -1L << (8 * (8 - n)); // the n high-order bytes: b[end - n, end)
        long x = (long) LONGS.get(b, end - 8);
        return notPrintable((x & keep) | (FILLER & ~keep)) == 0;
      }
      for (int i = start; i < end; i++) {
        byte x = b[i];
        if (x < 0x20 || x == 0x7f) {
          return false;
        }
      }
      return true;
    }

    private static final long FILLER = 0x4141414141414141L;

    /**
     * Whether {@code b[start, start + n)} is printable ASCII, for {@code 0 <= n <= 16} and
     * {@code start + 16 <= b.length}: the same answer as {@link #isPrintableAscii}, from two
     * words read at {@code start} with the bytes past {@code n} replaced by {@code 'A'} and no
     * branch on the length. The verifier checks some sixteen text fields per event, most of
     * them short and of varying length; between the digest work around it, the branches of the
     * general check on those lengths are often mispredicted, and this costs none.
     */
    static boolean isShortPrintableAscii(byte[] b, int start, int n) {
      long w0 = (long) LONGS.get(b, start);
      long w1 = (long) LONGS.get(b, start + 8);
      int n0 = Math.min(n, 8);
      int n1 = n - n0;
      // The n0 (n1) low-order bytes of a little-endian word: b[start, start + n0). Two shifts of
      // at most 32 bits each, so that 0 bytes gives an empty mask and 8 bytes a full one.
      int s0 = (8 - n0) << 2;
      int s1 = (8 - n1) << 2;
      long k0 = (-1L >>> s0) >>> s0;
      long k1 = (-1L >>> s1) >>> s1;
      return (notPrintable((w0 & k0) | (FILLER & ~k0)) | notPrintable((w1 & k1) | (FILLER & ~k1))) == 0;
    }

    /** Non-zero unless all eight bytes of {@code x} are in {@code [0x20, 0x7e]}. */
    private static long notPrintable(long x) {
      return (x | ~(x + 0x6060606060606060L) | (x + 0x0101010101010101L)) & HIGH_BITS;
    }

    /** {@code [a-z][a-z0-9_:.-]{0,63}}, the pattern of {@link Action} names. */
    static boolean isActionName(byte[] b, int off, int len) {
      if (len < 1 || len > 64 || b[off] < 'a' || b[off] > 'z') {
        return false;
      }
      for (int i = off + 1; i < off + len; i++) {
        byte x = b[i];
        if (!((x >= 'a' && x <= 'z') || (x >= '0' && x <= '9') || x == '_' || x == ':' || x == '.' || x == '-')) {
          return false;
        }
      }
      return true;
    }
  }

  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  static Instant fromMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  /** A growable output buffer, reused by the writer and the verifier (not thread-safe). */
  static final class Out {
    byte[] buf;
    int len;

    Out(int capacity) {
      buf = new byte[capacity];
    }

    void reset() {
      len = 0;
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
      int n = s.length();
      if (n < ABSENT) {
        // ASCII needs no encoder: one byte per char, exactly what getBytes(UTF_8) gives.
        ensure(2 + n);
        int at = len + 2;
        int i = 0;
        for (; i < n; i++) {
          char c = s.charAt(i);
          if (c >= 0x80) {
            break;
          }
          buf[at + i] = (byte) c;
        }
        if (i == n) {
          buf[len] = (byte) (n >>> 8);
          buf[len + 1] = (byte) n;
          len = at + n;
          return;
        }
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

  private static final class In extends Reader {
    In(byte[] b) {
      super(b);
    }

    int remaining() {
      return b.length - pos;
    }

    String str() throws AuditFormatException {
      int n = u16();
      if (n == ABSENT) {
        return null;
      }
      need(n);
      int start = pos;
      pos += n;
      boolean ascii = true;
      for (int i = start; i < pos; i++) {
        if (b[i] < 0) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        // Bytes below 0x80 are valid UTF-8 and decode to the same chars as ISO-8859-1.
        return new String(b, start, n, StandardCharsets.ISO_8859_1);
      }
      if (utf8 == null) {
        utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
      }
      try {
        return utf8.reset().decode(ByteBuffer.wrap(b, start, n)).toString();
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
