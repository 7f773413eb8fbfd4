package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.internal.MerkleTree;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.common.Bytes;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The verifier's fast paths compute exactly what the plain ones do: frames checked and decoded
 * from a heap copy agree with the same bytes read from a buffer (for valid, damaged and cut
 * frames), the hasher's one-update leaf hash is RFC 6962's, and a Merkle tree appended to past
 * its storage chunks from a retention cut has the reference roots.
 */
class ScanPathProperties {

  /** A valid event frame for {@code seq} with a random payload, chain hash and (maybe) MAC. */
  private static byte[] frame(Random random, long seq) {
    byte[] payload = new byte[random.nextInt(600)];
    random.nextBytes(payload);
    byte[] chain = new byte[32];
    random.nextBytes(chain);
    byte[] mac = new byte[random.nextBoolean() ? 32 : 0];
    random.nextBytes(mac);
    return AuditFrame.encodeEvent(StoredEvent.of(seq, Bytes.of(payload), Bytes.of(chain), Bytes.of(mac), "x"));
  }

  /**
   * For any bytes around a frame position (a valid frame, one with a flipped bit, overwritten
   * header or body fields, cut short or followed by junk), the heap check gives the buffer
   * check's answer whenever the frame ends inside the copy, and the two decoders give the same
   * record or the same damage.
   */
  @Test
  void heapCopyChecksAndDecodes_likeTheBuffer() {
    PropertyRunner.forAll(3000, c -> {
      long seed = c.draw("seed", Generators.longs());
      Random random = new Random(seed);
      long seq = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(1_000_000);
      byte[] f = frame(random, Math.floorMod(seq, StoredEvent.MAX_SEQ + 1));
      int lead = random.nextInt(20);
      byte[] b = new byte[lead + f.length + random.nextInt(40)];
      random.nextBytes(b);
      System.arraycopy(f, 0, b, lead, f.length);
      int at = lead + random.nextInt(f.length);
      switch (random.nextInt(7)) {
        case 0 -> { } // intact
        case 1 -> b[at] ^= (byte) (1 << random.nextInt(8));
        case 2 -> b[lead + 4 + random.nextInt(4)] = (byte) random.nextInt(); // body length
        case 3 -> b[lead + 12 + random.nextInt(8)] = (byte) random.nextInt(); // seq
        case 4 -> b[lead + 20 + random.nextInt(4)] = (byte) random.nextInt(); // payload length
        case 5 -> b[lead + f.length - 1 - random.nextInt(Math.min(33, f.length - 12))] = (byte) random.nextInt(); // mac length or tag
        default -> b = Arrays.copyOf(b, at); // cut inside the frame
      }
      int end = random.nextInt(b.length + 1);
      if (random.nextBoolean()) {
        end = b.length;
      }
      ByteBuffer buf = ByteBuffer.wrap(b);
      int fromBuffer = AuditFrame.validFrameAt(buf, lead, end, AuditFrame.MAGIC_EVENT, new CRC32C(), buf.duplicate());
      int fromHeap = AuditFrame.validFrameAt(b, lead, end, AuditFrame.MAGIC_EVENT, new CRC32C());
      assertEquals(fromBuffer, fromHeap, "seed " + seed);
      // Any body, valid frame or not: both decoders agree.
      int bodyAt = Math.min(b.length, lead + AuditFrame.HEADER_BYTES);
      int len = random.nextBoolean() && fromBuffer > 0 ? fromBuffer - AuditFrame.HEADER_BYTES
          : Math.min(b.length - bodyAt, random.nextInt(700));
      if (len < 8 + 4 + 32 + 1 || decodableWithin(b, bodyAt, len)) {
        assertEquals(AuditFrame.decodeEventBody(buf, bodyAt, len, "loc"), AuditFrame.decodeEventBody(b, bodyAt, len, "loc"),
            "seed " + seed);
      }
    });
  }

  /**
   * Both decoders read the MAC length byte at the place the payload length names; the callers
   * only hand over bodies whose length covers it. The property keeps to such bodies.
   */
  private static boolean decodableWithin(byte[] b, int bodyAt, int len) {
    int plen = ByteBuffer.wrap(b).getInt(bodyAt + 8);
    return plen < 0 || plen > len - (8 + 4 + 32 + 1) || bodyAt + 12 + plen + 32 < b.length;
  }

  /** The hasher's leaf hash (any length, any offset, reusing and growing its buffer) is SHA-256(0x00 || data). */
  @Test
  void hasherLeaf_isTheRfc6962LeafHash() {
    Hashes.Hasher hasher = new Hashes.Hasher("example.com/leaf".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    PropertyRunner.forAll(400, c -> {
      long seed = c.draw("seed", Generators.longs());
      Random random = new Random(seed);
      int len = random.nextInt(4) == 0 ? 15_000 + random.nextInt(4_000) : random.nextInt(1_200);
      int off = random.nextInt(50);
      byte[] data = new byte[off + len + random.nextInt(50)];
      random.nextBytes(data);
      byte[] expected = Hashes.leaf(Arrays.copyOfRange(data, off, off + len));
      assertArrayEquals(expected, hasher.leaf(data, off, len), "seed " + seed);
      byte[] out = new byte[40];
      int outOff = random.nextInt(9);
      hasher.leaf(data, off, len, out, outOff);
      assertArrayEquals(expected, Arrays.copyOfRange(out, outOff, outOff + 32), "seed " + seed);
    });
  }

  /**
   * A tree seeded at a retention cut near or past a storage chunk boundary and grown by tens of
   * thousands of leaves has the roots of RFC 6962's definition at every size checked.
   */
  @Test
  void treeFromACut_grownAcrossStorageChunks_hasTheReferenceRoots() {
    int n = 75_000;
    byte[][] leaves = new byte[n][];
    for (int i = 0; i < n; i++) {
      leaves[i] = MerkleProperties.leaf(i);
    }
    java.util.Map<Integer, byte[]> reference = new java.util.HashMap<>();
    for (int cut : new int[] {1, 4095, 4097, 8191, 32_767, 32_769, 40_001}) {
      MerkleTree full = new MerkleTree();
      for (int i = 0; i < cut; i++) {
        full.append(leaves[i]);
      }
      MerkleTree pruned = new MerkleTree(cut, full.compactRange(cut));
      for (int i = cut; i < n; i++) {
        pruned.append(leaves[i]);
      }
      for (int size : new int[] {cut, cut + 1, 65_536, 65_537, n - 1, n}) {
        if (size >= cut) {
          byte[] root = reference.computeIfAbsent(size, k -> MerkleProperties.mth(0, k));
          assertArrayEquals(root, pruned.rootAt(size), "cut " + cut + " size " + size);
        }
      }
      assertArrayEquals(leaves[n - 1], pruned.leafAt(n - 1));
    }
  }
}
