package dev.bulwark.detect;

import dev.bulwark.detect.internal.Counter;
import dev.bulwark.detect.internal.Items;
import dev.bulwark.detect.internal.KeyState;
import dev.bulwark.detect.internal.Members;
import dev.bulwark.detect.internal.Packing;
import dev.bulwark.detect.internal.StripedLru;
import dev.bulwark.detect.internal.TimeWindow;
import dev.bulwark.detect.spi.DetectState;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link DetectState} in this JVM: one node's picture, the detector's default. Every item of one
 * key lives in one entry of a bounded, striped least-recently-used map per kind of key
 * (accounts, sources, sessions; a name the detectors do not use gets a map of its own):
 * {@code maxKeys} keys per kind, a forgotten key starts over. Windows keep their event times in
 * a ring of {@code long}s, sets their members oldest first in flat arrays, records the
 * detector's own objects (packed to text only when read through {@link #get}). Nothing expires by
 * the wall clock: only windows and the key bound forget. Never throws
 * {@link DetectStoreException}. Thread-safe: a key's items are changed under its stripe's lock.
 */
public final class InMemoryDetectState implements DetectState {

  private final int maxKeys;
  private final StripedLru<Slots>[] spaces;
  private final ConcurrentHashMap<String, StripedLru<Slots>> otherNames = new ConcurrentHashMap<>();

  /** A state keeping at most {@code maxKeys} keys per kind (at least 16). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public InMemoryDetectState(int maxKeys) {
    if (maxKeys < 16) {
      throw new IllegalArgumentException("maxKeys must be at least 16");
    }
    this.maxKeys = maxKeys;
    this.spaces = new StripedLru[Items.SPACES];
    for (int i = 0; i < spaces.length; i++) {
      spaces[i] = new StripedLru<>(maxKeys, 64);
    }
  }

  /** A state keeping at most 1,000,000 keys per kind. */
  public InMemoryDetectState() {
    this(1_000_000);
  }

  // ---- the detector's path: every step of one event on one key under one lock -----------------

  /**
   * The items of {@code key} in the space of {@code item}, locked until {@link KeyState#close()}.
   * Without {@code create}, a key not kept answers as empty (and is not added).
   */
  KeyState open(int item, String key, boolean create) {
    return open(spaces[Items.space(item)], Items.slots(Items.space(item)), key, create);
  }

  private static KeyState open(StripedLru<Slots> map, int slots, String key, boolean create) {
    int hash = key.hashCode();
    StripedLru.Stripe<Slots> stripe = map.stripe(hash);
    ReentrantLock lock = stripe.lock();
    lock.lock();
    Slots s = stripe.get(key, hash);
    if (s == null) {
      if (!create) {
        lock.unlock();
        return EMPTY;
      }
      s = new Slots(slots, lock);
      stripe.add(key, hash, s);
    }
    return s;
  }

  // ---- the SPI --------------------------------------------------------------------------------

  private KeyState openByName(String name, String key, boolean create) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(key, "key");
    int item = Items.of(name);
    if (item >= 0) {
      return open(item, key, create);
    }
    StripedLru<Slots> m = otherNames.get(name);
    if (m == null) {
      m = otherNames.computeIfAbsent(name, n -> new StripedLru<>(maxKeys, 64));
    }
    return open(m, 1, key, create);
  }

  private static int slotOf(String name) {
    int item = Items.of(name);
    return item >= 0 ? Items.slot(item) : 0;
  }

  @Override
  public int addEvent(String name, String key, long atMillis, long widthMillis, int cap) {
    positive(widthMillis, cap);
    try (KeyState s = openByName(name, key, true)) {
      return ((Slots) s).window(slotOf(name), name, widthMillis, cap).add(atMillis);
    }
  }

  @Override
  public int countEvents(String name, String key, long atMillis, long widthMillis) {
    try (KeyState s = openByName(name, key, false)) {
      return s == EMPTY ? 0 : ((Slots) s).countEvents(slotOf(name), name, atMillis);
    }
  }

  @Override
  public int addMember(String name, String key, String member, long atMillis, long widthMillis, int cap) {
    Objects.requireNonNull(member, "member");
    positive(widthMillis, cap);
    try (KeyState s = openByName(name, key, true)) {
      return ((Slots) s).members(slotOf(name), name, true).add(member, atMillis, widthMillis, cap);
    }
  }

  @Override
  public int countMembers(String name, String key, long atMillis, long widthMillis) {
    try (KeyState s = openByName(name, key, false)) {
      if (s == EMPTY) {
        return 0;
      }
      Members m = ((Slots) s).members(slotOf(name), name, false);
      return m == null ? 0 : m.count(atMillis, widthMillis);
    }
  }

  @Override
  public boolean hasMember(String name, String key, String member) {
    Objects.requireNonNull(member, "member");
    try (KeyState s = openByName(name, key, false)) {
      if (s == EMPTY) {
        return false;
      }
      Members m = ((Slots) s).members(slotOf(name), name, false);
      return m != null && m.contains(member);
    }
  }

  @Override
  public void put(String name, String key, String value, long ttlMillis) {
    Objects.requireNonNull(value, "value");
    try (KeyState s = openByName(name, key, true)) {
      ((Slots) s).putText(slotOf(name), name, value);
    }
  }

  @Override
  public String putIfAbsent(String name, String key, String value, long ttlMillis) {
    Objects.requireNonNull(value, "value");
    try (KeyState s = openByName(name, key, true)) {
      Slots slots = (Slots) s;
      int slot = slotOf(name);
      String old = slots.text(slot, name);
      if (old != null) {
        return old;
      }
      slots.putText(slot, name, value);
      return value;
    }
  }

  @Override
  public String get(String name, String key) {
    try (KeyState s = openByName(name, key, false)) {
      return s == EMPTY ? null : ((Slots) s).text(slotOf(name), name);
    }
  }

  @Override
  public long addCount(String name, String key, long atMillis, long delta, long bucketMillis, int span,
      long keepMillis) {
    countArgs(delta, bucketMillis, span, keepMillis);
    try (KeyState s = openByName(name, key, true)) {
      return ((Slots) s).counter(slotOf(name), name, bucketMillis, span, keepMillis).add(atMillis, delta, span);
    }
  }

  @Override
  public long sumCounts(String name, String key, long fromMillis, long toMillis, long bucketMillis) {
    if (bucketMillis < 1) {
      throw new IllegalArgumentException("bucketMillis must be positive");
    }
    try (KeyState s = openByName(name, key, false)) {
      return s == EMPTY ? 0 : ((Slots) s).sumCounts(slotOf(name), name, fromMillis, toMillis, bucketMillis);
    }
  }

  static void countArgs(long delta, long bucketMillis, int span, long keepMillis) {
    if (delta < 1 || bucketMillis < 1 || span < 1 || keepMillis < 1) {
      throw new IllegalArgumentException("delta, bucket width, span and keep must be positive");
    }
  }

  private static void positive(long widthMillis, int cap) {
    if (cap < 1 || widthMillis < 1) {
      throw new IllegalArgumentException("cap and width must be positive");
    }
  }

  /** Every item of one key; the stripe's lock guards it. */
  private static final class Slots extends StripedLru.Entry implements KeyState {
    private final Object[] items;
    /**
     * For a record the detector stored as its own object, the packing that writes it as text (null
     * for a record stored as text and for the other items); made at the first such record.
     */
    private Packing<?>[] packings;
    private final ReentrantLock lock;

    Slots(int n, ReentrantLock lock) {
      this.items = new Object[n];
      this.lock = lock;
    }

    TimeWindow window(int slot, String name, long widthMillis, int cap) {
      Object v = items[slot];
      if (v == null) {
        TimeWindow w = new TimeWindow(widthMillis, cap);
        items[slot] = w;
        return w;
      }
      if (v instanceof TimeWindow w) {
        return w;
      }
      throw new IllegalArgumentException("state " + name + " is not a window");
    }

    int countEvents(int slot, String name, long atMillis) {
      Object v = items[slot];
      if (v == null) {
        return 0;
      }
      if (v instanceof TimeWindow w) {
        return w.count(atMillis);
      }
      throw new IllegalArgumentException("state " + name + " is not a window");
    }

    Members members(int slot, String name, boolean create) {
      Object v = items[slot];
      if (v == null) {
        if (!create) {
          return null;
        }
        Members m = new Members();
        items[slot] = m;
        return m;
      }
      if (v instanceof Members m) {
        return m;
      }
      throw new IllegalArgumentException("state " + name + " is not a set");
    }

    Counter counter(int slot, String name, long bucketMillis, int span, long keepMillis) {
      Object v = items[slot];
      if (v == null) {
        Counter c = new Counter(bucketMillis, span, keepMillis);
        items[slot] = c;
        return c;
      }
      if (v instanceof Counter c) {
        return c;
      }
      throw new IllegalArgumentException("state " + name + " is not a counter");
    }

    long sumCounts(int slot, String name, long fromMillis, long toMillis, long bucketMillis) {
      Object v = items[slot];
      if (v == null) {
        return 0;
      }
      if (v instanceof Counter c) {
        return c.sum(fromMillis, toMillis, bucketMillis);
      }
      throw new IllegalArgumentException("state " + name + " is not a counter");
    }

    /** Whether the record in {@code slot} is the detector's own object. */
    private boolean held(int slot) {
      return packings != null && packings[slot] != null;
    }

    @SuppressWarnings("unchecked")
    private String packed(int slot) {
      return ((Packing<Object>) packings[slot]).pack(items[slot]);
    }

    String text(int slot, String name) {
      Object v = items[slot];
      if (held(slot)) {
        return packed(slot);
      }
      if (v == null || v instanceof String) {
        return (String) v;
      }
      throw new IllegalArgumentException("state " + name + " is not a record");
    }

    void putText(int slot, String name, String value) {
      checkRecord(slot, name);
      items[slot] = value;
      if (packings != null) {
        packings[slot] = null;
      }
    }

    private void checkRecord(int slot, String name) {
      Object v = items[slot];
      if (v != null && !(v instanceof String) && !held(slot)) {
        throw new IllegalArgumentException("state " + name + " is not a record");
      }
    }

    private <T> void hold(int slot, T value, Packing<T> packing) {
      if (packings == null) {
        packings = new Packing<?>[items.length];
      }
      items[slot] = value;
      packings[slot] = packing;
    }

    @SuppressWarnings("unchecked")
    <T> T record(int slot, String name, Packing<T> packing) {
      Object v = items[slot];
      if (v == null) {
        return null;
      }
      if (held(slot)) {
        return packings[slot] == packing ? (T) v : packing.unpack(packed(slot));
      }
      if (v instanceof String s) {
        return packing.unpack(s);
      }
      throw new IllegalArgumentException("state " + name + " is not a record");
    }

    // KeyState: the detector's steps by item number.

    @Override
    public int addEvent(int item, long atMillis, long widthMillis, int cap) {
      return window(Items.slot(item), Items.name(item), widthMillis, cap).add(atMillis);
    }

    @Override
    public int countEvents(int item, long atMillis, long widthMillis) {
      return countEvents(Items.slot(item), Items.name(item), atMillis);
    }

    @Override
    public int addMember(int item, String member, long atMillis, long widthMillis, int cap) {
      return members(Items.slot(item), Items.name(item), true).add(member, atMillis, widthMillis, cap);
    }

    @Override
    public int countMembers(int item, long atMillis, long widthMillis) {
      Members m = members(Items.slot(item), Items.name(item), false);
      return m == null ? 0 : m.count(atMillis, widthMillis);
    }

    @Override
    public boolean hasMember(int item, String member) {
      Members m = members(Items.slot(item), Items.name(item), false);
      return m != null && m.contains(member);
    }

    @Override
    public <T> T get(int item, Packing<T> packing) {
      return record(Items.slot(item), Items.name(item), packing);
    }

    @Override
    public <T> void put(int item, T value, Packing<T> packing, long ttlMillis) {
      int slot = Items.slot(item);
      checkRecord(slot, Items.name(item));
      hold(slot, value, packing);
    }

    @Override
    public <T> T putIfAbsent(int item, T value, Packing<T> packing, long ttlMillis) {
      T old = record(Items.slot(item), Items.name(item), packing);
      if (old != null) {
        return old;
      }
      hold(Items.slot(item), value, packing);
      return value;
    }

    @Override
    public long addCount(int item, long atMillis, long delta, long bucketMillis, int span, long keepMillis) {
      return counter(Items.slot(item), Items.name(item), bucketMillis, span, keepMillis).add(atMillis, delta, span);
    }

    @Override
    public long sumCounts(int item, long fromMillis, long toMillis, long bucketMillis) {
      return sumCounts(Items.slot(item), Items.name(item), fromMillis, toMillis, bucketMillis);
    }

    @Override
    public void close() {
      lock.unlock();
    }
  }

  /** A key that is not kept: empty for reads. */
  private static final KeyState EMPTY = new KeyState() {
    @Override
    public int addEvent(int item, long atMillis, long widthMillis, int cap) {
      throw new IllegalStateException("opened without create");
    }

    @Override
    public int countEvents(int item, long atMillis, long widthMillis) {
      return 0;
    }

    @Override
    public int addMember(int item, String member, long atMillis, long widthMillis, int cap) {
      throw new IllegalStateException("opened without create");
    }

    @Override
    public int countMembers(int item, long atMillis, long widthMillis) {
      return 0;
    }

    @Override
    public boolean hasMember(int item, String member) {
      return false;
    }

    @Override
    public <T> T get(int item, Packing<T> packing) {
      return null;
    }

    @Override
    public <T> void put(int item, T value, Packing<T> packing, long ttlMillis) {
      throw new IllegalStateException("opened without create");
    }

    @Override
    public <T> T putIfAbsent(int item, T value, Packing<T> packing, long ttlMillis) {
      throw new IllegalStateException("opened without create");
    }

    @Override
    public long addCount(int item, long atMillis, long delta, long bucketMillis, int span, long keepMillis) {
      throw new IllegalStateException("opened without create");
    }

    @Override
    public long sumCounts(int item, long fromMillis, long toMillis, long bucketMillis) {
      return 0;
    }

    @Override
    public void close() {}
  };

  @Override
  public String toString() {
    return "InMemoryDetectState[max " + maxKeys + " keys per kind]";
  }
}
