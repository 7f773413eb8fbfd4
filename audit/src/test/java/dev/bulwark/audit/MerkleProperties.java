package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.audit.internal.MerkleTree;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleProperties {

  static byte[] leaf(long i) {
    return Hashes.leaf(ByteBuffer.allocate(8).putLong(i).array());
  }

  static MerkleTree tree(int n) {
    MerkleTree t = new MerkleTree();
    for (int i = 0; i < n; i++) {
      t.append(leaf(i));
    }
    return t;
  }

  static List<Bytes> wrap(List<byte[]> l) {
    List<Bytes> out = new ArrayList<>();
    for (byte[] b : l) {
      out.add(Bytes.of(b));
    }
    return out;
  }

  /** Reference MTH straight from RFC 6962 §2.1, for comparison. */
  static byte[] mth(int from, int to) {
    int n = to - from;
    if (n == 0) {
      return Hashes.sha256(new byte[0]);
    }
    if (n == 1) {
      return leaf(from);
    }
    int k = Integer.highestOneBit(n - 1);
    return Hashes.node(mth(from, from + k), mth(from + k, to));
  }

  /**
   * Across the tree's storage chunk boundaries (4,096 hashes, doubling to 32,768, then fixed), roots,
   * leaves and proofs match RFC 6962's definition.
   */
  @Test
  void rootsLeavesAndProofs_matchTheReference_acrossStorageChunks() {
    int n = 70_000;
    MerkleTree t = tree(n);
    for (int size : new int[] {4095, 4096, 4097, 8192, 8193, 16_385, 32_767, 32_768, 32_769, 65_536, 65_537, 70_000}) {
      assertArrayEquals(mth(0, size), t.rootAt(size), "root at " + size);
    }
    PropertyRunner.forAll(60, c -> {
      int size = c.draw("size", Generators.ints(1, n));
      int index = c.draw("index", Generators.ints(0, size - 1));
      assertArrayEquals(leaf(index), t.leafAt(index));
      assertTrue(MerkleProofs.verifyInclusion(index, size, Bytes.of(leaf(index)), wrap(t.inclusionProof(index, size)),
          Bytes.of(mth(0, size))));
    });
  }

  @Test
  void proofsVerify_forEverySizeAndIndex_upTo70() {
    MerkleTree t = tree(70);
    for (int n = 1; n <= 70; n++) {
      Bytes root = Bytes.of(t.rootAt(n));
      assertArrayEquals(mth(0, n), t.rootAt(n));
      for (int i = 0; i < n; i++) {
        List<Bytes> path = wrap(t.inclusionProof(i, n));
        assertTrue(MerkleProofs.verifyInclusion(i, n, Bytes.of(leaf(i)), path, root), "inclusion " + i + "/" + n);
        assertFalse(MerkleProofs.verifyInclusion(i, n, Bytes.of(leaf(i + 1)), path, root));
        if (i + 1 < n) {
          assertFalse(MerkleProofs.verifyInclusion(i + 1, n, Bytes.of(leaf(i)), path, root), "wrong index");
        }
        assertFalse(MerkleProofs.verifyInclusion(i, n, Bytes.of(leaf(i)), path, Bytes.of(t.rootAt(n - 1 == 0 ? 0 : n - 1))));
      }
      for (int m = 0; m <= n; m++) {
        List<Bytes> proof = wrap(t.consistencyProof(m, n));
        assertTrue(MerkleProofs.verifyConsistency(m, n, Bytes.of(t.rootAt(m)), root, proof), "consistency " + m + "/" + n);
        if (m > 0 && m < n) {
          assertFalse(MerkleProofs.verifyConsistency(m, n, Bytes.of(t.rootAt(m - 1)), root, proof));
          assertFalse(MerkleProofs.verifyConsistency(n, m, root, Bytes.of(t.rootAt(m)), proof), "old > new");
          List<Bytes> longer = new ArrayList<>(proof);
          longer.add(root);
          assertFalse(MerkleProofs.verifyConsistency(m, n, Bytes.of(t.rootAt(m)), root, longer), "over-long proof");
        }
      }
    }
  }

  @Test
  void prunedTree_answersLikeTheFullTree() {
    PropertyRunner.forAll(200, c -> {
      int cut = c.draw("cut", Generators.ints(0, 300));
      int extra = c.draw("extra", Generators.ints(0, 300));
      int pick = c.draw("pick", Generators.ints(0, 1000));
      int n = cut + extra;
      MerkleTree full = tree(n);
      MerkleTree pruned = new MerkleTree(cut, full.compactRange(cut));
      for (int i = cut; i < n; i++) {
        pruned.append(leaf(i));
      }
      assertArrayEquals(full.root(), pruned.root());
      if (n > cut) {
        long index = cut + (pick % (n - cut));
        long size = index + 1 + (pick % (n - index));
        assertTrue(size <= n);
        List<Bytes> proof = wrap(pruned.inclusionProof(index, size));
        assertTrue(MerkleProofs.verifyInclusion(index, size, Bytes.of(leaf(index)), proof, Bytes.of(full.rootAt(size))));
        long m = Math.max(cut, 1) + (pick % Math.max(1, n - Math.max(cut, 1) + 1));
        if (m <= n && m >= cut) {
          assertTrue(MerkleProofs.verifyConsistency(m, n, Bytes.of(full.rootAt(m)), Bytes.of(full.root()),
              wrap(pruned.consistencyProof(m, n))));
        }
      }
    });
  }

  @Test
  void anyWrongProofHash_failsInclusion() {
    PropertyRunner.forAll(300, c -> {
      int n = c.draw("n", Generators.ints(2, 200));
      int idx = c.draw("idx", Generators.ints(0, 199));
      int bit = c.draw("bit", Generators.ints(0, 31));
      int i = idx % n;
      MerkleTree t = tree(n);
      List<Bytes> path = wrap(t.inclusionProof(i, n));
      for (int k = 0; k < path.size(); k++) {
        byte[] h = path.get(k).toByteArray();
        h[bit] ^= 1;
        List<Bytes> bad = new ArrayList<>(path);
        bad.set(k, Bytes.of(h));
        assertFalse(MerkleProofs.verifyInclusion(i, n, Bytes.of(leaf(i)), bad, Bytes.of(t.root())));
      }
    });
  }
}
