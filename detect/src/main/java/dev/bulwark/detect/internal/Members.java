package dev.bulwark.detect.internal;

import java.util.Arrays;

/**
 * A set of distinct members, each with the time it was last seen, kept in the order they were
 * (re)added, oldest first, in flat arrays (no boxing; the detectors' sets hold 8 to 32 members).
 * Adding a member already kept moves it to the end with the later of its two times; beyond the
 * cap the oldest goes. Not thread-safe.
 */
public final class Members {
  private String[] members = new String[4];
  private int[] hashes = new int[4];
  private long[] seen = new long[4];
  private int size;

  /**
   * Marks {@code member} as seen at {@code atMillis} and returns the members seen in
   * {@code (atMillis - width, atMillis]} (forgetting, oldest first, those seen before).
   */
  public int add(String member, long atMillis, long widthMillis, int cap) {
    int h = member.hashCode();
    int i = indexOf(member, h);
    long t = atMillis;
    if (i >= 0) {
      t = Math.max(seen[i], atMillis);
      removeAt(i);
    }
    if (size == members.length) {
      int n = Math.max(4, Math.min(size * 2, Math.max(cap, size + 1)));
      members = Arrays.copyOf(members, n);
      hashes = Arrays.copyOf(hashes, n);
      seen = Arrays.copyOf(seen, n);
    }
    members[size] = member;
    hashes[size] = h;
    seen[size] = t;
    size++;
    if (size > cap) {
      removeFirst(size - cap);
    }
    return count(atMillis, widthMillis);
  }

  /** The members seen in {@code (atMillis - width, atMillis]}, forgetting from the oldest those seen before. */
  public int count(long atMillis, long widthMillis) {
    long oldestKept = atMillis - widthMillis;
    int k = 0;
    while (k < size && seen[k] <= oldestKept) {
      k++;
    }
    if (k > 0) {
      removeFirst(k);
    }
    return size;
  }

  /** Whether {@code member} is kept. */
  public boolean contains(String member) {
    return indexOf(member, member.hashCode()) >= 0;
  }

  private int indexOf(String member, int h) {
    for (int i = size - 1; i >= 0; i--) {
      if (hashes[i] == h && member.equals(members[i])) {
        return i;
      }
    }
    return -1;
  }

  private void removeAt(int i) {
    int tail = size - i - 1;
    if (tail > 0) {
      System.arraycopy(members, i + 1, members, i, tail);
      System.arraycopy(hashes, i + 1, hashes, i, tail);
      System.arraycopy(seen, i + 1, seen, i, tail);
    }
    members[--size] = null;
  }

  private void removeFirst(int k) {
    int tail = size - k;
    System.arraycopy(members, k, members, 0, tail);
    System.arraycopy(hashes, k, hashes, 0, tail);
    System.arraycopy(seen, k, seen, 0, tail);
    Arrays.fill(members, tail, size, null);
    size = tail;
  }
}
