package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import java.nio.ByteBuffer;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * Finds the next complete, CRC-valid frame after damage in time linear in the bytes it passes.
 * Checking each candidate position on its own CRCs up to a whole frame body (1 MiB) per
 * position, which crafted bytes (a plausible header every few bytes) turn into quadratic work.
 * Instead, one CRC-32C pass runs over the region and notes the running CRC where each
 * candidate's body starts and ends; the CRC of the body follows from those two values
 * ({@code crc(B) = crc(AB) ^ zeros(crc(A), |B|)}, the CRC-combine identity), so every byte is
 * hashed once however many candidates overlap it. Answers are exactly those of checking
 * {@link AuditFrame#validFrameAt} at every position in turn.
 *
 * <p>One instance serves one buffer and successive, increasing {@code from} positions (a
 * reader's resynchronisations); not thread-safe.
 */
final class FrameResync {

  /** ZEROS[k]: the CRC-32C operator for appending 2^k zero bytes (k up to 2^20 = MAX_BODY_BYTES). */
  private static final int[][] ZEROS = new int[21][];

  static {
    int[] odd = new int[32];
    odd[0] = 0x82F63B78; // CRC-32C polynomial, reflected
    int row = 1;
    for (int n = 1; n < 32; n++) {
      odd[n] = row;
      row <<= 1;
    }
    int[] even = square(odd); // two zero bits
    odd = square(even); // four
    ZEROS[0] = square(odd); // eight: one zero byte
    for (int k = 1; k < ZEROS.length; k++) {
      ZEROS[k] = square(ZEROS[k - 1]);
    }
  }

  private static int times(int[] mat, int vec) {
    int sum = 0;
    for (int i = 0; vec != 0; i++, vec >>>= 1) {
      if ((vec & 1) != 0) {
        sum ^= mat[i];
      }
    }
    return sum;
  }

  private static int[] square(int[] mat) {
    int[] sq = new int[32];
    for (int n = 0; n < 32; n++) {
      sq[n] = times(mat, mat[n]);
    }
    return sq;
  }

  /** The CRC of A || n zero bytes minus the CRC of n zero bytes, given crc(A): the combine shift. */
  static int shift(int crc, int n) {
    for (int k = 0; n != 0; k++, n >>>= 1) {
      if ((n & 1) != 0) {
        crc = times(ZEROS[k], crc);
      }
    }
    return crc;
  }

  /** A candidate frame whose body CRC is not known yet. */
  private record Candidate(int start, int end, int startCrc, int expected) {}

  private final ByteBuffer buf;
  private final ByteBuffer view;
  private final int limit;
  private final int magic;
  private final CRC32C crc = new CRC32C();
  /** The CRC engine has hashed [origin, enginePos); its value there is {@code crc.getValue()}. */
  private int origin = -1;
  private int enginePos;
  /** Next position whose header has not been looked at. */
  private int scanPos;
  private final PriorityQueue<Candidate> byEnd = new PriorityQueue<>((a, b) -> Integer.compare(a.end, b.end));
  private final TreeMap<Integer, Candidate> byStart = new TreeMap<>();
  private final TreeSet<Integer> valid = new TreeSet<>();
  /** Bytes hashed so far (for tests: it stays linear in the bytes passed). */
  long hashed;

  FrameResync(ByteBuffer buf, int limit, int magic) {
    this.buf = buf;
    this.view = buf.duplicate();
    this.limit = limit;
    this.magic = magic;
  }

  /**
   * The first position {@code q > from} with a complete, CRC-valid frame, or -1. Successive calls
   * must not go back before an earlier call's {@code from}.
   */
  int next(int from) {
    if (origin < 0 || from + 1 > scanPos) {
      reset(from + 1);
    }
    valid.headSet(from, true).clear();
    while (true) {
      Integer best = valid.ceiling(from + 1);
      Integer undecided = byStart.ceilingKey(from + 1);
      if (best != null && (undecided == null || undecided > best)) {
        return best;
      }
      if (undecided == null && scanPos > limit - AuditFrame.HEADER_BYTES) {
        return -1;
      }
      step();
    }
  }

  private void reset(int at) {
    origin = at;
    enginePos = at;
    scanPos = at;
    crc.reset();
    byEnd.clear();
    byStart.clear();
    valid.clear();
  }

  /**
   * One step: look at headers up to the next candidate (never past the nearest pending body end,
   * so the engine never passes a body start it has not noted), or else hash up to the nearest
   * candidate end and decide it. Headers are examined even past {@code best}: what is found there
   * serves the next call, and keeps the engine from ever passing an unexamined position.
   */
  private void step() {
    Candidate next = byEnd.peek();
    int scanEnd = limit - AuditFrame.HEADER_BYTES;
    if (next != null) {
      scanEnd = Math.min(scanEnd, next.end - AuditFrame.HEADER_BYTES);
    }
    byte first = (byte) (magic >>> 24);
    while (scanPos <= scanEnd) {
      int q = scanPos++;
      if (buf.get(q) != first || buf.getInt(q) != magic) {
        continue;
      }
      int len = buf.getInt(q + 4);
      if (len < 0 || len > AuditFrame.MAX_BODY_BYTES || len > limit - q - AuditFrame.HEADER_BYTES) {
        continue;
      }
      int start = q + AuditFrame.HEADER_BYTES;
      advanceTo(start);
      Candidate c = new Candidate(q, start + len, (int) crc.getValue(), buf.getInt(q + 8));
      if (len == 0) {
        decide(c);
      } else {
        byEnd.add(c);
        byStart.put(q, c);
      }
      return;
    }
    if (next == null) {
      scanPos = Math.max(scanPos, limit); // every header examined, nothing pending
      return;
    }
    byEnd.poll();
    byStart.remove(next.start);
    advanceTo(next.end);
    decide(next);
  }

  private void decide(Candidate c) {
    int n = c.end - (c.start + AuditFrame.HEADER_BYTES);
    int body = (int) crc.getValue() ^ shift(c.startCrc, n);
    if (body == c.expected) {
      valid.add(c.start);
    }
  }

  private void advanceTo(int pos) {
    if (pos > enginePos) {
      view.clear();
      view.position(enginePos).limit(pos);
      crc.update(view);
      hashed += pos - enginePos;
      enginePos = pos;
    }
  }
}
