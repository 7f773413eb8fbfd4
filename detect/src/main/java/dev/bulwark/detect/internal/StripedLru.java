package dev.bulwark.detect.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded map from text keys to values that are their own entries ({@link Entry}: the key and
 * the recency links live in the value), split into stripes, each a hash table with a
 * least-recently-used list, bounded on its own and guarded by its own lock, so
 * threads working on different keys rarely wait for each other. A lookup or an insert allocates
 * nothing but the new value and, now and then, a larger table. Callers hold the stripe's
 * {@link Stripe#lock()} while they use the stripe and the value.
 */
public final class StripedLru<V extends StripedLru.Entry> {

  /**
   * A value that is also its map entry. Its links belong to the stripe that holds it: read and
   * written only under that stripe's lock.
   */
  public abstract static class Entry {
    private String key;
    /** Recency neighbours: {@code before} was used less recently. */
    private Entry before;
    private Entry after;

    protected Entry() {}

    /** The key this entry is kept under. */
    public final String key() {
      return key;
    }
  }

  /**
   * One stripe: an open-addressing hash table (linear probing, at most half full; the keys' hashes
   * in an array beside the entries, so a probe reads a value only when its hash matches and a
   * growing table never reads one) whose entries are also on a list, least recently used first.
   */
  public static final class Stripe<V extends Entry> {
    private final ReentrantLock lock = new ReentrantLock();
    private final int max;
    private Entry[] entries = new Entry[16];
    private int[] hashes = new int[16];
    private int size;
    private Entry head;
    private Entry tail;

    Stripe(int max) {
      this.max = max;
    }

    /** The lock that guards this stripe and its values. */
    public ReentrantLock lock() {
      return lock;
    }

    /**
     * The value kept under {@code key} (whose {@code hashCode()} is {@code hash}), which becomes
     * the most recently used; null if there is none. Hold {@link #lock()}.
     */
    @SuppressWarnings("unchecked")
    public V get(String key, int hash) {
      Entry[] es = entries;
      int[] hs = hashes;
      int mask = es.length - 1;
      for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
        Entry e = es[i];
        if (e == null) {
          return null;
        }
        if (hs[i] == hash && (e.key == key || key.equals(e.key))) {
          touch(e);
          return (V) e;
        }
      }
    }

    /**
     * Keeps {@code value} under {@code key} (not kept yet; {@code hash} its {@code hashCode()}) as
     * the most recently used, then forgets the least recently used if the stripe holds more than
     * its bound. Hold {@link #lock()}.
     */
    public void add(String key, int hash, V value) {
      if (size + 1 > entries.length >>> 1) {
        grow();
      }
      Entry e = value;
      e.key = key;
      place(entries, hashes, e, hash);
      e.before = tail;
      e.after = null;
      if (tail == null) {
        head = e;
      } else {
        tail.after = e;
      }
      tail = e;
      size++;
      if (size > max) {
        remove(head);
      }
    }

    /** The number of keys kept. Hold {@link #lock()}. */
    public int size() {
      return size;
    }

    private void touch(Entry e) {
      if (e == tail) {
        return;
      }
      Entry b = e.before;
      Entry a = e.after; // not null: e is not the tail
      if (b == null) {
        head = a;
      } else {
        b.after = a;
      }
      a.before = b;
      e.before = tail;
      e.after = null;
      tail.after = e;
      tail = e;
    }

    private static void place(Entry[] es, int[] hs, Entry e, int hash) {
      int mask = es.length - 1;
      int i = spread(hash) & mask;
      while (es[i] != null) {
        i = (i + 1) & mask;
      }
      es[i] = e;
      hs[i] = hash;
    }

    private void remove(Entry e) {
      Entry[] es = entries;
      int[] hs = hashes;
      int mask = es.length - 1;
      int i = spread(e.key.hashCode()) & mask;
      while (es[i] != e) {
        i = (i + 1) & mask;
      }
      // Shift back the entries after it that probed past its slot, so no probe meets a hole early.
      for (int j = (i + 1) & mask; es[j] != null; j = (j + 1) & mask) {
        int home = spread(hs[j]) & mask;
        boolean stays = i < j ? home > i && home <= j : home > i || home <= j;
        if (!stays) {
          es[i] = es[j];
          hs[i] = hs[j];
          i = j;
        }
      }
      es[i] = null;
      hs[i] = 0;
      Entry b = e.before;
      Entry a = e.after;
      if (b == null) {
        head = a;
      } else {
        b.after = a;
      }
      if (a == null) {
        tail = b;
      } else {
        a.before = b;
      }
      e.before = null;
      e.after = null;
      size--;
    }

    private void grow() {
      Entry[] oldEntries = entries;
      int[] oldHashes = hashes;
      Entry[] es = new Entry[oldEntries.length * 2];
      int[] hs = new int[es.length];
      for (int i = 0; i < oldEntries.length; i++) {
        if (oldEntries[i] != null) {
          place(es, hs, oldEntries[i], oldHashes[i]);
        }
      }
      entries = es;
      hashes = hs;
    }

    /** The probe start: the hash's high half folded into its low half, as {@code HashMap} does. */
    private static int spread(int h) {
      return h ^ (h >>> 16);
    }
  }

  private final Stripe<V>[] stripes;

  @SuppressWarnings({"unchecked", "rawtypes"})
  public StripedLru(int maxEntries, int stripeCount) {
    stripes = new Stripe[stripeCount];
    int per = Math.max(1, maxEntries / stripeCount);
    for (int i = 0; i < stripeCount; i++) {
      stripes[i] = new Stripe<>(per);
    }
  }

  /**
   * The stripe of a key whose {@code hashCode()} is {@code hash}: chosen from the scrambled hash by
   * multiply-shift, independent of the low bits a stripe buckets by (choosing the stripe by
   * {@code hash % stripes} would put every key of a stripe into the same few buckets).
   */
  public Stripe<V> stripe(int hash) {
    long scrambled = (hash * 0x9E3779B9L) & 0xffffffffL;
    return stripes[(int) ((scrambled * stripes.length) >>> 32)];
  }
}
