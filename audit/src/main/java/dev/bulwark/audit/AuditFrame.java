package dev.bulwark.audit;

import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.internal.ByteAccess;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The on-disk frame of {@link FileAuditStore} segment and checkpoint files:
 *
 * <pre>
 * magic (4: "BWA1" event, "BWC1" checkpoint) | body length u32 | CRC-32C of body u32 | body
 * event body      = seq u64 | payload length u32 | payload | chain hash (32) | mac length u8 | mac
 * checkpoint body = UTF-8 signed note
 * </pre>
 *
 * Integers are big-endian; a body is at most 1 MiB. The CRC detects torn writes and bit rot; it
 * is not a security check (the chain, MAC and signatures are). Thread-safe (stateless).
 */
public final class AuditFrame {

  public static final int HEADER_BYTES = 12;
  public static final int MAX_BODY_BYTES = 1 << 20;
  static final int MAGIC_EVENT = 0x42574131; // "BWA1"
  static final int MAGIC_CHECKPOINT = 0x42574331; // "BWC1"

  private AuditFrame() {}

  /** Encodes an event frame. */
  public static byte[] encodeEvent(StoredEvent e) {
    byte[] out = new byte[eventFrameBytes(e)];
    putEventFrame(e, out, 0, new CRC32C());
    return out;
  }

  /** Size of the frame {@link #putEventFrame} writes for {@code e}. */
  static int eventFrameBytes(StoredEvent e) {
    if (e.isDamaged()) {
      throw new IllegalArgumentException("cannot frame a damaged record");
    }
    int body = 8 + 4 + e.payload().length() + 32 + 1 + e.mac().length();
    if (body > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("frame body larger than " + MAX_BODY_BYTES + " bytes");
    }
    return HEADER_BYTES + body;
  }

  /**
   * Writes the frame of {@code e} into {@code out} at {@code off} (room for
   * {@link #eventFrameBytes} bytes) without intermediate copies; returns the offset after it.
   */
  static int putEventFrame(StoredEvent e, byte[] out, int off, CRC32C crc) {
    int total = eventFrameBytes(e);
    byte[] payload = ByteAccess.array(e.payload());
    byte[] chain = ByteAccess.array(e.chainHash());
    byte[] mac = ByteAccess.array(e.mac());
    int p = off;
    p = putInt(out, p, MAGIC_EVENT);
    p = putInt(out, p, total - HEADER_BYTES);
    int crcAt = p;
    p += 4;
    int bodyAt = p;
    p = putInt(out, p, (int) (e.seq() >>> 32));
    p = putInt(out, p, (int) e.seq());
    p = putInt(out, p, payload.length);
    System.arraycopy(payload, 0, out, p, payload.length);
    p += payload.length;
    System.arraycopy(chain, 0, out, p, chain.length);
    p += chain.length;
    out[p++] = (byte) mac.length;
    System.arraycopy(mac, 0, out, p, mac.length);
    p += mac.length;
    crc.reset();
    crc.update(out, bodyAt, p - bodyAt);
    putInt(out, crcAt, (int) crc.getValue());
    return p;
  }

  private static int putInt(byte[] out, int p, int v) {
    out[p] = (byte) (v >>> 24);
    out[p + 1] = (byte) (v >>> 16);
    out[p + 2] = (byte) (v >>> 8);
    out[p + 3] = (byte) v;
    return p + 4;
  }

  /** Encodes a checkpoint frame. */
  public static byte[] encodeCheckpoint(String note) {
    return frame(MAGIC_CHECKPOINT, note.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] frame(int magic, byte[] body) {
    if (body.length > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("frame body larger than " + MAX_BODY_BYTES + " bytes");
    }
    CRC32C crc = new CRC32C();
    crc.update(body);
    ByteBuffer f = ByteBuffer.allocate(HEADER_BYTES + body.length);
    f.putInt(magic).putInt(body.length).putInt((int) crc.getValue()).put(body);
    return f.array();
  }

  /**
   * Length of the complete, CRC-valid frame with {@code magic} at {@code pos}, or -1 if there is
   * none there (wrong magic, bad length, past the end, bad CRC). Never throws for any input.
   */
  static int validFrameAt(ByteBuffer buf, int pos, int limit, int magic) {
    return validFrameAt(buf, pos, limit, magic, new CRC32C(), buf.duplicate());
  }

  /**
   * As {@link #validFrameAt(ByteBuffer, int, int, int)}, with a CRC and a duplicate of
   * {@code buf} that a reader reuses for every frame.
   */
  static int validFrameAt(ByteBuffer buf, int pos, int limit, int magic, CRC32C crc, ByteBuffer view) {
    if (pos < 0 || limit - pos < HEADER_BYTES || buf.getInt(pos) != magic) {
      return -1;
    }
    int len = buf.getInt(pos + 4);
    if (len < 0 || len > MAX_BODY_BYTES || len > limit - pos - HEADER_BYTES) {
      return -1;
    }
    crc.reset();
    view.clear();
    view.position(pos + HEADER_BYTES).limit(pos + HEADER_BYTES + len);
    crc.update(view);
    if ((int) crc.getValue() != buf.getInt(pos + 8)) {
      return -1;
    }
    return HEADER_BYTES + len;
  }

  /** How far ahead of a frame walk {@link #touchAhead} reads. */
  static final int TOUCH_SPAN = 64 * 1024;

  /**
   * Reads one byte in every 64 (a cache line) of {@code buf[from, min(from + TOUCH_SPAN, limit))}
   * and returns the offset it read to. A walk over frame headers waits for each length before it
   * can load the next header, so on memory it did not touch recently every frame costs a full
   * memory latency; these loads do not depend on one another, so the processor overlaps them,
   * and the walk then finds its headers in cache. Reads only; never throws for offsets inside
   * the buffer.
   */
  static int touchAhead(ByteBuffer buf, int from, int limit) {
    int to = (int) Math.min(limit, (long) from + TOUCH_SPAN);
    int sum = 0;
    for (int q = from; q < to; q += 64) {
      sum += buf.get(q);
    }
    touchSink = sum;
    return to;
  }

  /** Keeps the compiler from dropping the loads of {@link #touchAhead} (their value is unused). */
  @SuppressWarnings("unused")
  private static int touchSink;

  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /**
   * As {@link #validFrameAt(ByteBuffer, int, int, int, CRC32C, ByteBuffer)} for a frame in a heap
   * copy of a file's bytes, {@code b[0, end)}: the length of the complete, CRC-valid frame with
   * {@code magic} at {@code pos}, or -1 if there is none there or it does not end by {@code end}
   * (the caller then asks the file itself). Never throws for any input.
   */
  static int validFrameAt(byte[] b, int pos, int end, int magic, CRC32C crc) {
    if (pos < 0 || end > b.length || end - pos < HEADER_BYTES || (int) INTS.get(b, pos) != magic) {
      return -1;
    }
    int len = (int) INTS.get(b, pos + 4);
    if (len < 0 || len > MAX_BODY_BYTES || len > end - pos - HEADER_BYTES) {
      return -1;
    }
    crc.reset();
    crc.update(b, pos + HEADER_BYTES, len);
    if ((int) crc.getValue() != (int) INTS.get(b, pos + 8)) {
      return -1;
    }
    return HEADER_BYTES + len;
  }

  /**
   * As {@link #decodeEventBody(ByteBuffer, int, int, String)} for a body in a heap array: the
   * same record, or the same damage, for the same bytes.
   */
  static StoredEvent decodeEventBody(byte[] b, int bodyPos, int len, String location) {
    if (len < 8 + 4 + 32 + 1) {
      return StoredEvent.damaged(-1, location, "event frame body too short");
    }
    long seq = (long) LONGS.get(b, bodyPos);
    if (seq < 0 || seq > StoredEvent.MAX_SEQ) {
      return StoredEvent.damaged(-1, location, "malformed frame: sequence number " + seq + " is outside [0, 2^62)");
    }
    int plen = (int) INTS.get(b, bodyPos + 8);
    if (plen < 0 || plen > len - (8 + 4 + 32 + 1)) {
      return StoredEvent.damaged(seq, location, "payload length out of range");
    }
    int macLen = b[bodyPos + 12 + plen + 32] & 0xff;
    if ((macLen != 0 && macLen != 32) || 8 + 4 + plen + 32 + 1 + macLen != len) {
      return StoredEvent.damaged(seq, location, "inconsistent event frame body");
    }
    int p = bodyPos + 12;
    byte[] payload = Arrays.copyOfRange(b, p, p + plen);
    byte[] chain = Arrays.copyOfRange(b, p + plen, p + plen + 32);
    byte[] mac = Arrays.copyOfRange(b, p + plen + 33, p + plen + 33 + macLen);
    return StoredEvent.of(seq, ByteAccess.wrap(payload), ByteAccess.wrap(chain), ByteAccess.wrap(mac), location);
  }

  /** Decodes an event body into a record (damaged if the body is inconsistent). */
  static StoredEvent decodeEventBody(ByteBuffer buf, int bodyPos, int len, String location) {
    if (len < 8 + 4 + 32 + 1) {
      return StoredEvent.damaged(-1, location, "event frame body too short");
    }
    long seq = buf.getLong(bodyPos);
    if (seq < 0 || seq > StoredEvent.MAX_SEQ) {
      return StoredEvent.damaged(-1, location, "malformed frame: sequence number " + seq + " is outside [0, 2^62)");
    }
    int plen = buf.getInt(bodyPos + 8);
    if (plen < 0 || plen > len - (8 + 4 + 32 + 1)) {
      return StoredEvent.damaged(seq, location, "payload length out of range");
    }
    int macLen = buf.get(bodyPos + 12 + plen + 32) & 0xff;
    if ((macLen != 0 && macLen != 32) || 8 + 4 + plen + 32 + 1 + macLen != len) {
      return StoredEvent.damaged(seq, location, "inconsistent event frame body");
    }
    byte[] payload = new byte[plen];
    byte[] chain = new byte[32];
    byte[] mac = new byte[macLen];
    buf.get(bodyPos + 12, payload);
    buf.get(bodyPos + 12 + plen, chain);
    buf.get(bodyPos + 12 + plen + 33, mac);
    return StoredEvent.of(seq, ByteAccess.wrap(payload), ByteAccess.wrap(chain), ByteAccess.wrap(mac), location);
  }

  /**
   * Decodes exactly one event frame occupying all of {@code frame}.
   *
   * @throws AuditFormatException if it is not exactly one valid event frame
   */
  public static StoredEvent decodeEvent(byte[] frame) throws AuditFormatException {
    ByteBuffer buf = ByteBuffer.wrap(frame);
    int n = validFrameAt(buf, 0, frame.length, MAGIC_EVENT);
    if (n < 0) {
      throw new AuditFormatException("not a valid event frame (magic, length or CRC)");
    }
    if (n != frame.length) {
      throw new AuditFormatException("trailing bytes after event frame");
    }
    StoredEvent e = decodeEventBody(buf, HEADER_BYTES, n - HEADER_BYTES, "frame");
    if (e.isDamaged()) {
      throw new AuditFormatException(e.damage());
    }
    return e;
  }
}
