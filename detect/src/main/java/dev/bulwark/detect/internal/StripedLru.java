package dev.bulwark.detect.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A bounded map split into stripes, each a least-recently-used {@link LinkedHashMap} guarded by
 * its own lock, so threads working on different keys rarely wait for each other. Callers lock
 * the stripe of a key with {@link #lockFor} and work on the value inside that lock.
 */
public final class StripedLru<V> {
  private final Stripe<V>[] stripes;

  private static final class Stripe<V> extends LinkedHashMap<String, V> {
    private static final long serialVersionUID = 1L;
    private final int max;

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

  /** The lock that guards {@code key}'s value. */
  public Object lockFor(String key) {
    return stripes[index(key)];
  }

  /** The value for {@code key}, created if absent. Call while holding {@link #lockFor}. */
  public V get(String key, Function<String, V> create) {
    Stripe<V> s = stripes[index(key)];
    V v = s.get(key);
    if (v == null) {
      v = create.apply(key);
      s.put(key, v);
    }
    return v;
  }

  /** Sets {@code key}'s value. Call while holding {@link #lockFor}. */
  public void put(String key, V value) {
    stripes[index(key)].put(key, value);
  }

  /** The value for {@code key} or null. Call while holding {@link #lockFor}. */
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
