package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameResync} gives exactly the answers of checking every position in turn, and hashes
 * each byte at most once however the bytes are crafted.
 */
class FrameResyncProperties {

  static final long SEED = Long.getLong("bulwark.seed", 0x5EED_F4A3L);
  static final int MAGIC = AuditFrame.MAGIC_EVENT;

  static int naive(ByteBuffer buf, int from, int limit) {
    for (int q = from + 1; q + AuditFrame.HEADER_BYTES <= limit; q++) {
      if (AuditFrame.validFrameAt(buf, q, limit, MAGIC) > 0) {
        return q;
      }
    }
    return -1;
  }

  static void frame(ByteBuffer b, int at, byte[] body, boolean goodCrc) {
    CRC32C crc = new CRC32C();
    crc.update(body);
    b.putInt(at, MAGIC).putInt(at + 4, body.length).putInt(at + 8, (int) crc.getValue() ^ (goodCrc ? 0 : 1));
    b.put(at + 12, body);
  }

  @Test
  void sameAnswersAsCheckingEveryPosition() {
    for (int c = 0; c < 400; c++) {
      SplittableRandom r = new SplittableRandom(SEED + c);
      int size = 64 + r.nextInt(4000);
      ByteBuffer b = ByteBuffer.allocate(size);
      for (int i = 0; i < size; i++) {
        b.put(i, (byte) (r.nextInt(4) == 0 ? 'B' : r.nextInt(256)));
      }
      // Frames (valid and not), overlapping and truncated headers, zero-length bodies.
      for (int k = r.nextInt(12); k > 0; k--) {
        int len = r.nextInt(3) == 0 ? 0 : r.nextInt(Math.max(1, size / 4));
        int at = r.nextInt(size);
        byte[] body = new byte[len];
        r.nextBytes(body);
        if (at + 12 + len <= size) {
          frame(b, at, body, r.nextInt(3) != 0);
        } else if (at + 8 <= size) {
          b.putInt(at, MAGIC).putInt(at + 4, r.nextInt(3) == 0 ? -1 : len);
        }
      }
      int limit = size - r.nextInt(8);
      FrameResync resync = new FrameResync(b, limit, MAGIC);
      int from = -1;
      int calls = 0;
      for (int step = 0; step < 50 && from < limit; step++, calls++) {
        int expected = naive(b, from, limit);
        assertEquals(expected, resync.next(from), "seed " + SEED + " case " + c + " from " + from);
        from = expected < 0 ? limit : expected + r.nextInt(1, 40);
      }
      // Each byte once; a call that starts past everything examined may re-hash one header's worth.
      assertTrue(resync.hashed <= limit + (long) AuditFrame.HEADER_BYTES * calls, "seed " + SEED + " case " + c + ": hashed " + resync.hashed + " of " + limit);
    }
  }

  @Test
  void craftedHeadersEveryEightBytes_areHashedOnce() {
    int size = 4 << 20;
    ByteBuffer b = ByteBuffer.allocate(size);
    for (int q = 0; q + 8 <= size; q += 8) {
      b.putInt(q, MAGIC).putInt(q + 4, Math.min(AuditFrame.MAX_BODY_BYTES, size - q - 12));
    }
    // A valid frame every 256 KiB: the reader resynchronises there and then meets damage again.
    SplittableRandom r = new SplittableRandom(SEED);
    for (int at = 256 << 10; at + 200 < size; at += 256 << 10) {
      byte[] body = new byte[100];
      r.nextBytes(body);
      frame(b, at, body, true);
    }
    FrameResync resync = new FrameResync(b, size, MAGIC);
    int from = -1;
    int found = 0;
    while (true) {
      int q = resync.next(from);
      if (q < 0) {
        break;
      }
      assertEquals(0, q % (256 << 10), "seed " + SEED + ": resynchronised at " + q);
      found++;
      from = q + 112;
    }
    assertEquals(15, found, "seed " + SEED);
    assertTrue(resync.hashed <= size, "seed " + SEED + ": hashed " + resync.hashed + " bytes of " + size);
  }

  @Test
  void shiftMatchesTheCrcOfConcatenation() {
    SplittableRandom r = new SplittableRandom(SEED);
    for (int c = 0; c < 200; c++) {
      byte[] a = new byte[r.nextInt(300)];
      byte[] bb = new byte[r.nextInt(3000)];
      r.nextBytes(a);
      r.nextBytes(bb);
      CRC32C ab = new CRC32C();
      ab.update(a);
      int crcA = (int) ab.getValue();
      ab.update(bb);
      CRC32C only = new CRC32C();
      only.update(bb);
      assertEquals((int) only.getValue(), (int) ab.getValue() ^ FrameResync.shift(crcA, bb.length), "seed " + SEED + " case " + c);
    }
  }
}
