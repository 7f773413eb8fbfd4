package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.common.Bytes;
import dev.bulwark.common.internal.ByteAccess;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9162 proof verification (§2.1.3.2 inclusion, §2.1.4.2 consistency) for RFC 6962 trees
 * over SHA-256. Pure functions of their arguments; thread-safe. Both return false (never throw)
 * for any malformed proof: wrong sizes, over-long or short paths, {@code first > second}.
 */
public final class MerkleProofs {

  private MerkleProofs() {}

  /** The RFC 6962 leaf hash of {@code data}: SHA-256(0x00 || data). */
  public static Bytes leafHash(byte[] data) {
    return ByteAccess.wrap(Hashes.leaf(data));
  }

  /** RFC 9162 §2.1.3.2: does {@code path} prove leaf {@code index} is in the tree of {@code size} with {@code root}? */
  public static boolean verifyInclusion(long index, long size, Bytes leafHash, List<Bytes> path, Bytes root) {
    if (index < 0 || size <= 0 || index >= size || leafHash.length() != 32 || root.length() != 32 || path.size() > 64) {
      return false;
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash.toByteArray();
    for (Bytes pb : path) {
      byte[] p = pb.toByteArray();
      if (p.length != 32 || sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = Hashes.node(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        r = Hashes.node(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, root.toByteArray());
  }

  /** RFC 9162 §2.1.4.2: does {@code path} prove the tree ({@code first}, {@code firstRoot}) is a prefix of ({@code second}, {@code secondRoot})? */
  public static boolean verifyConsistency(long first, long second, Bytes firstRoot, Bytes secondRoot, List<Bytes> path) {
    if (first < 0 || second < first || firstRoot.length() != 32 || secondRoot.length() != 32 || path.size() > 128) {
      return false;
    }
    if (first == second) {
      return path.isEmpty() && firstRoot.equals(secondRoot);
    }
    if (first == 0) {
      return path.isEmpty();
    }
    if (path.isEmpty()) {
      return false;
    }
    List<byte[]> p = new ArrayList<>();
    if (Long.bitCount(first) == 1) {
      p.add(firstRoot.toByteArray());
    }
    for (Bytes b : path) {
      if (b.length() != 32) {
        return false;
      }
      p.add(b.toByteArray());
    }
    long fn = first - 1;
    long sn = second - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    byte[] fr = p.get(0);
    byte[] sr = p.get(0);
    for (int i = 1; i < p.size(); i++) {
      byte[] c = p.get(i);
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = Hashes.node(c, fr);
        sr = Hashes.node(c, sr);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        sr = Hashes.node(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return MessageDigest.isEqual(fr, firstRoot.toByteArray())
        && MessageDigest.isEqual(sr, secondRoot.toByteArray()) && sn == 0;
  }
}
