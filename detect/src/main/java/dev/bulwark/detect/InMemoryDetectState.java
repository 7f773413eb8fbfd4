package dev.bulwark.detect;

import dev.bulwark.detect.internal.StripedLru;
import dev.bulwark.detect.internal.TimeWindow;
import dev.bulwark.detect.spi.DetectState;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link DetectState} in this JVM: one node's picture, the detector's default. Each name gets its
 * own bounded, striped least-recently-used map ({@code maxKeys} keys; a forgotten key starts
 * over); windows keep their event times in a ring, sets their members oldest first. Nothing
 * expires by the wall clock: only windows and the key bound forget. Never throws
 * {@link DetectStoreException}. Thread-safe: a key's item is changed under its stripe's lock.
 */
public final class InMemoryDetectState implements DetectState {

  private final int maxKeys;
  private final ConcurrentHashMap<String, StripedLru<Object>> byName = new ConcurrentHashMap<>();

  /** A state keeping at most {@code maxKeys} keys per name (at least 16). */
  public InMemoryDetectState(int maxKeys) {
    if (maxKeys < 16) {
      throw new IllegalArgumentException("maxKeys must be at least 16");
    }
    this.maxKeys = maxKeys;
  }

  /** A state keeping at most 1,000,000 keys per name. */
  public InMemoryDetectState() {
    this(1_000_000);
  }

  private StripedLru<Object> map(String name) {
    StripedLru<Object> m = byName.get(Objects.requireNonNull(name, "name"));
    return m != null ? m : byName.computeIfAbsent(name, n -> new StripedLru<>(maxKeys, 64));
  }

  @Override
  public int addEvent(String name, String key, long atMillis, long widthMillis, int cap) {
    requireKey(key);
    if (cap < 1 || widthMillis < 1) {
      throw new IllegalArgumentException("cap and width must be positive");
    }
    StripedLru<Object> m = map(name);
    synchronized (m.lockFor(key)) {
      return window(m.get(key, k -> new TimeWindow(widthMillis, cap)), name).add(atMillis);
    }
  }

  @Override
  public int countEvents(String name, String key, long atMillis, long widthMillis) {
    requireKey(key);
    StripedLru<Object> m = map(name);
    synchronized (m.lockFor(key)) {
      Object v = m.peek(key);
      return v == null ? 0 : window(v, name).count(atMillis);
    }
  }

  @Override
  public int addMember(String name, String key, String member, long atMillis, long widthMillis, int cap) {
    requireKey(key);
    Objects.requireNonNull(member, "member");
    if (cap < 1 || widthMillis < 1) {
      throw new IllegalArgumentException("cap and width must be positive");
    }
    StripedLru<Object> m = map(name);
    synchronized (m.lockFor(key)) {
      Members s = members(m.get(key, k -> new Members()), name);
      Long old = s.seen.remove(member);
      s.seen.put(member, old == null ? atMillis : Math.max(old, atMillis));
      if (s.seen.size() > cap) {
        Iterator<String> it = s.seen.keySet().iterator();
        it.next();
        it.remove();
      }
      return s.count(atMillis, widthMillis);
    }
  }

  @Override
  public int countMembers(String name, String key, long atMillis, long widthMillis) {
    requireKey(key);
    StripedLru<Object> m = map(name);
    synchronized (m.lockFor(key)) {
      Object v = m.peek(key);
      return v == null ? 0 : members(v, name).count(atMillis, widthMillis);
    }
  }

  @Override
  public boolean hasMember(String name, String key, String member) {
    requireKey(key);
    Objects.requireNonNull(member, "member");
    StripedLru<Object> m = map(name);
    synchronized (m.lockFor(key)) {
      Object v = m.peek(key);
      return v != null && members(v, name).seen.containsKey(member);
    }
  }

  @Override
  public void put(String name, String key, String value, long ttlMillis) {
    requireKey(key);
    Objects.requireNonNull(value, "value");
    StripedLru<Object> m = map(name);
    synchronized (m.lockFor(key)) {
      Object old = m.peek(key);
      if (old != null) {
        record(old, name);
      }
      m.put(key, new Record(value));
    }
  }

  @Override
  public String putIfAbsent(String name, String key, String value, long ttlMillis) {
    requireKey(key);
    Objects.requireNonNull(value, "value");
    StripedLru<Object> m = map(name);
    synchronized (m.lockFor(key)) {
      return record(m.get(key, k -> new Record(value)), name).value;
    }
  }

  @Override
  public String get(String name, String key) {
    requireKey(key);
    StripedLru<Object> m = map(name);
    synchronized (m.lockFor(key)) {
      Object v = m.peek(key);
      return v == null ? null : record(v, name).value;
    }
  }

  private static void requireKey(String key) {
    Objects.requireNonNull(key, "key");
  }

  private static TimeWindow window(Object v, String name) {
    if (v instanceof TimeWindow w) {
      return w;
    }
    throw new IllegalArgumentException("state " + name + " is not a window");
  }

  private static Members members(Object v, String name) {
    if (v instanceof Members s) {
      return s;
    }
    throw new IllegalArgumentException("state " + name + " is not a set");
  }

  private static Record record(Object v, String name) {
    if (v instanceof Record r) {
      return r;
    }
    throw new IllegalArgumentException("state " + name + " is not a record");
  }

  /** Member -> time last seen, oldest first. */
  private static final class Members {
    final LinkedHashMap<String, Long> seen = new LinkedHashMap<>(8);

    int count(long t, long widthMillis) {
      long oldestKept = t - widthMillis;
      Iterator<Long> it = seen.values().iterator();
      while (it.hasNext() && it.next() <= oldestKept) {
        it.remove();
      }
      return seen.size();
    }
  }

  private record Record(String value) {}

  @Override
  public String toString() {
    return "InMemoryDetectState[" + byName.size() + " names, max " + maxKeys + " keys each]";
  }
}
