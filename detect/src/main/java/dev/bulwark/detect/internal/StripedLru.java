package dev.bulwark.detect.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A bounded map split into stripes, each a least-recently-used {@link LinkedHashMap} guarded by
 * its own lock, so threads working on different keys rarely wait for each other. Callers hold
 * the stripe's lock ({@link #lockFor}) while they use the map and the value.
 */
public final class StripedLru<V> {
  private final Stripe<V>[] stripes;

  private static final class Stripe<V> extends LinkedHashMap<String, V> {
    private static final long serialVersionUID = 1L;
    private final int max;
    private final transient ReentrantLock lock = new ReentrantLock();

    Stripe(int max) {
      super(16, 0.75f, true);
      this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
      return size() > max;
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  public StripedLru(int maxEntries, int stripeCount) {
    stripes = new Stripe[stripeCount];
    int per = Math.max(1, maxEntries / stripeCount);
    for (int i = 0; i < stripeCount; i++) {
      stripes[i] = new Stripe<>(per);
    }
  }

  /** The lock that guards {@code key}'s stripe. */
  public ReentrantLock lockFor(String key) {
    return stripes[index(key)].lock;
  }

  /** The value for {@code key}, created if absent (the least recently used of the stripe may go). Hold {@link #lockFor}. */
  public V get(String key, Function<String, V> create) {
    Stripe<V> s = stripes[index(key)];
    V v = s.get(key);
    if (v == null) {
      v = create.apply(key);
      s.put(key, v);
    }
    return v;
  }

  /** Sets {@code key}'s value. Hold {@link #lockFor}. */
  public void put(String key, V value) {
    stripes[index(key)].put(key, value);
  }

  /** The value for {@code key} or null. Hold {@link #lockFor}. */
  public V peek(String key) {
    return stripes[index(key)].get(key);
  }

  /**
   * The stripe from a scrambled hash by multiply-shift, independent of the low bits the stripe's
   * own HashMap buckets by: choosing the stripe by {@code hash % stripes} put every key of a stripe
   * into the same few buckets (tree bins, a lookup several times slower).
   */
  private int index(String key) {
    long scrambled = (key.hashCode() * 0x9E3779B9L) & 0xffffffffL;
    return (int) ((scrambled * stripes.length) >>> 32);
  }
}
