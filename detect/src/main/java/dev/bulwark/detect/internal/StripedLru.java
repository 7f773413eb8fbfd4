package dev.bulwark.detect.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded map from text keys to values that are their own entries ({@link Entry}: key, hash,
 * bucket chain and recency links live in the value), split into stripes, each a chained hash
 * table with a least-recently-used list, bounded on its own and guarded by its own lock, so
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
    private int hash;
    /** The next entry of the same bucket. */
    private Entry next;
    /** Recency neighbours: {@code before} was used less recently. */
    private Entry before;
    private Entry after;

    protected Entry() {}

    /** The key this entry is kept under. */
    public final String key() {
      return key;
    }
  }

  /** One stripe: a hash table whose entries are also on a list, least recently used first. */
  public static final class Stripe<V extends Entry> {
    private final ReentrantLock lock = new ReentrantLock();
    private final int max;
    private Entry[] table = new Entry[16];
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
      Entry[] t = table;
      for (Entry e = t[spread(hash) & (t.length - 1)]; e != null; e = e.next) {
        if (e.hash == hash && (e.key == key || key.equals(e.key))) {
          touch(e);
          return (V) e;
        }
      }
      return null;
    }

    /**
     * Keeps {@code value} under {@code key} (not kept yet; {@code hash} its {@code hashCode()}) as
     * the most recently used, then forgets the least recently used if the stripe holds more than
     * its bound. Hold {@link #lock()}.
     */
    public void add(String key, int hash, V value) {
      Entry e = value;
      e.key = key;
      e.hash = hash;
      if (size >= table.length - (table.length >>> 2)) {
        grow();
      }
      int i = spread(hash) & (table.length - 1);
      e.next = table[i];
      table[i] = e;
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

    private void remove(Entry e) {
      int i = spread(e.hash) & (table.length - 1);
      Entry p = table[i];
      if (p == e) {
        table[i] = e.next;
      } else {
        while (p.next != e) {
          p = p.next;
        }
        p.next = e.next;
      }
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
      e.next = null;
      e.before = null;
      e.after = null;
      size--;
    }

    private void grow() {
      Entry[] old = table;
      Entry[] t = new Entry[old.length * 2];
      int mask = t.length - 1;
      for (Entry first : old) {
        Entry e = first;
        while (e != null) {
          Entry next = e.next;
          int i = spread(e.hash) & mask;
          e.next = t[i];
          t[i] = e;
          e = next;
        }
      }
      table = t;
    }

    /** The bucket bits: the hash's high half folded into its low half, as {@code HashMap} does. */
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
