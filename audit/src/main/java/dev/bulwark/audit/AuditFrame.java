package dev.bulwark.audit;

import dev.bulwark.audit.spi.StoredEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
    if (e.isDamaged()) {
      throw new IllegalArgumentException("cannot frame a damaged record");
    }
    byte[] payload = e.payload().toByteArray();
    byte[] mac = e.mac().toByteArray();
    ByteBuffer body = ByteBuffer.allocate(8 + 4 + payload.length + 32 + 1 + mac.length);
    body.putLong(e.seq()).putInt(payload.length).put(payload).put(e.chainHash().toByteArray())
        .put((byte) mac.length).put(mac);
    return frame(MAGIC_EVENT, body.array());
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
    if (pos < 0 || limit - pos < HEADER_BYTES || buf.getInt(pos) != magic) {
      return -1;
    }
    int len = buf.getInt(pos + 4);
    if (len < 0 || len > MAX_BODY_BYTES || len > limit - pos - HEADER_BYTES) {
      return -1;
    }
    CRC32C crc = new CRC32C();
    ByteBuffer body = buf.duplicate();
    body.limit(pos + HEADER_BYTES + len).position(pos + HEADER_BYTES);
    crc.update(body);
    if ((int) crc.getValue() != buf.getInt(pos + 8)) {
      return -1;
    }
    return HEADER_BYTES + len;
  }

  /** Decodes an event body into a record (damaged if the body is inconsistent). */
  static StoredEvent decodeEventBody(ByteBuffer buf, int bodyPos, int len, String location) {
    if (len < 8 + 4 + 32 + 1) {
      return StoredEvent.damaged(-1, location, "event frame body too short");
    }
    long seq = buf.getLong(bodyPos);
    int plen = buf.getInt(bodyPos + 8);
    if (plen < 0 || plen > len - (8 + 4 + 32 + 1)) {
      return StoredEvent.damaged(seq, location, "payload length out of range");
    }
    int macLen = buf.get(bodyPos + 12 + plen + 32) & 0xff;
    if (seq < 0 || (macLen != 0 && macLen != 32) || 8 + 4 + plen + 32 + 1 + macLen != len) {
      return StoredEvent.damaged(seq, location, "inconsistent event frame body");
    }
    byte[] payload = new byte[plen];
    byte[] chain = new byte[32];
    byte[] mac = new byte[macLen];
    ByteBuffer d = buf.duplicate();
    d.position(bodyPos + 12);
    d.get(payload).get(chain);
    d.get();
    d.get(mac);
    return StoredEvent.of(seq, Bytes.wrap(payload), Bytes.wrap(chain), Bytes.wrap(mac), location);
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
