package dev.bulwark.cli;

import dev.bulwark.common.Bytes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds RFC 6962 (RFC 9162 §2.1.3.1) inclusion proofs from leaf hashes, so the CLI can export a
 * proof against a checkpoint the writer already signed and stored, without its private key. The
 * audit module's {@code MerkleProofs.verifyInclusion} checks the result. Pure; thread-safe.
 */
final class InclusionProofs {

  private InclusionProofs() {}

  /** The audit path of leaf {@code index} in the tree over {@code leaves}, leaf first. */
  static List<Bytes> path(int index, List<byte[]> leaves) {
    if (index < 0 || index >= leaves.size()) {
      throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + leaves.size());
    }
    List<Bytes> out = new ArrayList<>();
    path(index, leaves, 0, leaves.size(), out);
    return out;
  }

  private static void path(int m, List<byte[]> d, int from, int to, List<Bytes> out) {
    int n = to - from;
    if (n <= 1) {
      return;
    }
    int k = Integer.highestOneBit(n - 1);
    if (m < k) {
      path(m, d, from, from + k, out);
      out.add(Bytes.of(root(d, from + k, to)));
    } else {
      path(m - k, d, from + k, to, out);
      out.add(Bytes.of(root(d, from, from + k)));
    }
  }

  /** MTH(D[from:to]) for a non-empty range. */
  static byte[] root(List<byte[]> d, int from, int to) {
    int n = to - from;
    if (n == 1) {
      return d.get(from);
    }
    int k = Integer.highestOneBit(n - 1);
    return node(root(d, from, from + k), root(d, from + k, to));
  }

  private static byte[] node(byte[] left, byte[] right) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((byte) 0x01);
      md.update(left);
      md.update(right);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
