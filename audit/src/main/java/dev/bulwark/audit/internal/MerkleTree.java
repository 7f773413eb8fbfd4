package dev.bulwark.audit.internal;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An RFC 6962 Merkle tree kept incrementally: every complete, aligned subtree hash is stored per
 * level (about 2 × 32 bytes per leaf), so appends are amortised O(1), any historical root is
 * O(log n) and proofs O(log² n).
 *
 * <p>A tree may start at a retention cut: seeded with the compact range of {@code [0, cut)} (at
 * most 63 hashes), it answers every root, inclusion and consistency question whose sizes and
 * indices are at or above the cut, exactly as the unpruned tree would.
 *
 * <p>Not thread-safe; the writer and the verifier confine a tree to one thread or a lock.
 */
public final class MerkleTree {

  private static final int H = Hashes.SIZE;

  private final long cut;
  private long size;
  private final List<Level> levels = new ArrayList<>();
  private final MessageDigest md = Hashes.newSha256();
  /** The input of one interior node hash: {@code 0x01 || left || right}. */
  private final byte[] nodeInput = new byte[1 + 2 * H];

  /**
   * Levels grow chunk by chunk, never by copying what they hold. The first chunks are small
   * (4,096 hashes, then doubling) so a small tree stays small; from 32,768 hashes on every chunk
   * holds 32,768 (1 MiB), large enough that the JVM's collectors keep it out of the young
   * generation instead of copying a verifier's or writer's tree again and again. Every chunk
   * starts at an even position, so sibling hashes always share one.
   */
  private static final int FIRST_SHIFT = 12;
  private static final int LAST_SHIFT = 15;

  private static final class Level {
    final long base;
    byte[][] chunks = new byte[4][];
    long count;

    Level(long base) {
      this.base = base;
    }

    /** The chunk that holds position {@code pos}. */
    static int chunkIndex(long pos) {
      if (pos >= 1L << LAST_SHIFT) {
        return (LAST_SHIFT - FIRST_SHIFT) + (int) (pos >>> LAST_SHIFT);
      }
      return 64 - Long.numberOfLeadingZeros(pos >>> FIRST_SHIFT);
    }

    /** The first position chunk {@code c} holds. */
    static long chunkStart(int c) {
      if (c >= LAST_SHIFT - FIRST_SHIFT + 1) {
        return (long) (c - (LAST_SHIFT - FIRST_SHIFT)) << LAST_SHIFT;
      }
      return c == 0 ? 0 : 1L << (FIRST_SHIFT + c - 1);
    }

    /** The chunk that holds the last reserved slot, the first position it holds and the one after it. */
    private byte[] last;
    private long lastStart;
    private long lastEnd;

    /**
     * Reserves the next slot and returns its chunk; the slot's offset is {@link #offset}, or
     * {@link #lastOffset} right after this call. Appends stay inside one chunk for thousands of
     * slots, so the chunk is looked up only when the slot leaves it.
     */
    byte[] reserve() {
      long pos = count;
      if (last == null || pos >= lastEnd || pos < lastStart) {
        int c = chunkIndex(pos);
        if (c >= chunks.length) {
          chunks = Arrays.copyOf(chunks, chunks.length * 2);
        }
        byte[] chunk = chunks[c];
        if (chunk == null) {
          chunk = new byte[(int) (chunkStart(c + 1) - chunkStart(c)) * H];
          chunks[c] = chunk;
        }
        last = chunk;
        lastStart = chunkStart(c);
        lastEnd = chunkStart(c + 1);
      }
      count++;
      return last;
    }

    /** Offset, in its chunk, of the slot {@link #reserve} reserved last. */
    int lastOffset() {
      return (int) (count - 1 - lastStart) * H;
    }

    byte[] chunkOf(long pos) {
      return chunks[chunkIndex(pos)];
    }

    static int offset(long pos) {
      return (int) (pos - chunkStart(chunkIndex(pos))) * H;
    }

    void add(byte[] src, int off) {
      byte[] chunk = reserve();
      System.arraycopy(src, off, chunk, lastOffset(), H);
    }
  }

  /** An empty tree. */
  public MerkleTree() {
    this(0, List.of());
  }

  /**
   * A tree whose leaves {@code [0, cut)} are gone and are represented by their compact range,
   * largest subtree first (as {@link #compactRange(long)} returns it).
   */
  public MerkleTree(long cut, List<byte[]> compactRange) {
    if (cut < 0) {
      throw new IllegalArgumentException("cut < 0");
    }
    if (Long.bitCount(cut) != compactRange.size()) {
      throw new IllegalArgumentException("compact range of " + cut + " needs " + Long.bitCount(cut) + " hashes, got " + compactRange.size());
    }
    this.cut = cut;
    this.size = cut;
    int i = 0;
    for (int l = 63; l >= 0; l--) {
      if (((cut >>> l) & 1) != 0) {
        byte[] h = compactRange.get(i++);
        if (h.length != H) {
          throw new IllegalArgumentException("compact range hashes are 32 bytes");
        }
        level(l).add(h, 0);
      }
    }
  }

  private Level level(int l) {
    while (levels.size() <= l) {
      int k = levels.size();
      long base = (cut >>> k) - ((cut >>> k) & 1);
      levels.add(new Level(base));
    }
    return levels.get(l);
  }

  public long size() {
    return size;
  }

  /** The first leaf index this tree still knows (0 unless seeded from a cut). */
  public long cut() {
    return cut;
  }

  /** Appends a leaf hash (32 bytes). */
  public void append(byte[] leafHash) {
    append(leafHash, 0);
  }

  /** Appends the leaf hash at {@code leafHash[off, off + 32)}. */
  public void append(byte[] leafHash, int off) {
    if (off < 0 || off + H > leafHash.length) {
      throw new IllegalArgumentException("leaf hashes are 32 bytes");
    }
    long index = size;
    Level cur = level(0);
    byte[] chunk = cur.reserve();
    int at = cur.lastOffset();
    System.arraycopy(leafHash, off, chunk, at, H);
    size++;
    int l = 0;
    while ((index & 1) == 1) {
      long pos = index - cur.base;
      if (pos != cur.count - 1) {
        // (Not the slot just written: cannot happen while appends go in order; look it up.)
        chunk = cur.chunkOf(pos);
        at = Level.offset(pos);
      }
      Level up = level(l + 1);
      byte[] out = up.reserve();
      int outAt = up.lastOffset();
      // Siblings (pos - 1, pos) share a chunk: pos is odd and chunks hold an even number of hashes.
      // One update of 0x01 || left || right (the JDK's digest takes a lone byte through a slower path).
      nodeInput[0] = 1;
      System.arraycopy(chunk, at - H, nodeInput, 1, 2 * H);
      md.update(nodeInput, 0, nodeInput.length);
      try {
        md.digest(out, outAt, H);
      } catch (DigestException e) {
        throw new IllegalStateException(e);
      }
      cur = up;
      chunk = out;
      at = outAt;
      l++;
      index >>>= 1;
    }
  }

  private byte[] node(int l, long j) {
    if (l >= levels.size()) {
      throw new IllegalStateException("node beyond the tree");
    }
    Level lv = levels.get(l);
    long pos = j - lv.base;
    if (pos < 0 || pos >= lv.count) {
      throw new IllegalStateException("subtree " + l + "/" + j + " is not available (pruned or incomplete)");
    }
    int off = Level.offset(pos);
    return Arrays.copyOfRange(lv.chunkOf(pos), off, off + H);
  }

  /** The leaf hash at {@code index}, or null if pruned or beyond the tree. */
  public byte[] leafAt(long index) {
    if (index < cut || index >= size) {
      return null;
    }
    return node(0, index);
  }

  /** MTH of leaves [start, start + n). */
  private byte[] mth(long start, long n) {
    if (n == 0) {
      return Hashes.sha256(new byte[0]);
    }
    if (Long.bitCount(n) == 1 && (start & (n - 1)) == 0) {
      int l = Long.numberOfTrailingZeros(n);
      return node(l, start >>> l);
    }
    long k = Long.highestOneBit(n - 1);
    return Hashes.node(mth(start, k), mth(start + k, n - k));
  }

  public byte[] root() {
    return rootAt(size);
  }

  /** The root of the tree of the first {@code n} leaves. */
  public byte[] rootAt(long n) {
    checkSize(n);
    if (n < cut) {
      throw new IllegalStateException("tree size " + n + " is below the retention cut " + cut);
    }
    return mth(0, n);
  }

  /** The compact range of [0, n): one hash per set bit of n, largest subtree first. */
  public List<byte[]> compactRange(long n) {
    checkSize(n);
    List<byte[]> out = new ArrayList<>();
    long start = 0;
    for (int l = 63; l >= 0; l--) {
      if (((n >>> l) & 1) != 0) {
        out.add(node(l, start >>> l));
        start += 1L << l;
      }
    }
    return out;
  }

  /** RFC 6962 PATH(m, D[n]): audit path for leaf {@code index} in the tree of size {@code n}. */
  public List<byte[]> inclusionProof(long index, long n) {
    checkSize(n);
    if (index < 0 || index >= n) {
      throw new IllegalArgumentException("index " + index + " outside tree of size " + n);
    }
    if (index < cut) {
      throw new IllegalStateException("leaf " + index + " was pruned (cut " + cut + ")");
    }
    List<byte[]> out = new ArrayList<>();
    path(index, 0, n, out);
    return out;
  }

  private void path(long m, long start, long n, List<byte[]> out) {
    if (n <= 1) {
      return;
    }
    long k = Long.highestOneBit(n - 1);
    if (m < k) {
      path(m, start, k, out);
      out.add(mth(start + k, n - k));
    } else {
      path(m - k, start + k, n - k, out);
      out.add(mth(start, k));
    }
  }

  /** RFC 6962 PROOF(m, D[n]): consistency proof between sizes {@code m} and {@code n}. */
  public List<byte[]> consistencyProof(long m, long n) {
    checkSize(n);
    if (m < 0 || m > n) {
      throw new IllegalArgumentException("need 0 <= m <= n");
    }
    if (m < cut && m != 0) {
      throw new IllegalStateException("tree size " + m + " is below the retention cut " + cut);
    }
    List<byte[]> out = new ArrayList<>();
    if (m == 0 || m == n) {
      return out;
    }
    subproof(m, 0, n, true, out);
    return out;
  }

  private void subproof(long m, long start, long n, boolean b, List<byte[]> out) {
    if (m == n) {
      if (!b) {
        out.add(mth(start, m));
      }
      return;
    }
    long k = Long.highestOneBit(n - 1);
    if (m <= k) {
      subproof(m, start, k, b, out);
      out.add(mth(start + k, n - k));
    } else {
      subproof(m - k, start + k, n - k, false, out);
      out.add(mth(start, k));
    }
  }

  private void checkSize(long n) {
    if (n < 0 || n > size) {
      throw new IllegalArgumentException("tree size " + n + " outside [0, " + size + "]");
    }
  }
}
