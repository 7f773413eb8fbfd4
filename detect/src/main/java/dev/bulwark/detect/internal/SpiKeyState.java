package dev.bulwark.detect.internal;

import dev.bulwark.detect.spi.DetectState;

/**
 * The steps of one key on any {@link DetectState}: each step is one call of the SPI (one atomic
 * step, one round trip for a shared state), records packed as text.
 */
public final class SpiKeyState implements KeyState {
  private final DetectState state;
  private final String key;

  public SpiKeyState(DetectState state, String key) {
    this.state = state;
    this.key = key;
  }

  @Override
  public int addEvent(int item, long atMillis, long widthMillis, int cap) {
    return state.addEvent(Items.name(item), key, atMillis, widthMillis, cap);
  }

  @Override
  public int countEvents(int item, long atMillis, long widthMillis) {
    return state.countEvents(Items.name(item), key, atMillis, widthMillis);
  }

  @Override
  public int addMember(int item, String member, long atMillis, long widthMillis, int cap) {
    return state.addMember(Items.name(item), key, member, atMillis, widthMillis, cap);
  }

  @Override
  public int countMembers(int item, long atMillis, long widthMillis) {
    return state.countMembers(Items.name(item), key, atMillis, widthMillis);
  }

  @Override
  public boolean hasMember(int item, String member) {
    return state.hasMember(Items.name(item), key, member);
  }

  @Override
  public <T> T get(int item, Packing<T> packing) {
    String s = state.get(Items.name(item), key);
    return s == null ? null : packing.unpack(s);
  }

  @Override
  public <T> void put(int item, T value, Packing<T> packing, long ttlMillis) {
    state.put(Items.name(item), key, packing.pack(value), ttlMillis);
  }

  @Override
  public <T> T putIfAbsent(int item, T value, Packing<T> packing, long ttlMillis) {
    String mine = packing.pack(value);
    String won = state.putIfAbsent(Items.name(item), key, mine, ttlMillis);
    return mine.equals(won) ? value : packing.unpack(won);
  }

  @Override
  public long addCount(int item, long atMillis, long delta, long bucketMillis, int span, long keepMillis) {
    return state.addCount(Items.name(item), key, atMillis, delta, bucketMillis, span, keepMillis);
  }

  @Override
  public long sumCounts(int item, long fromMillis, long toMillis, long bucketMillis) {
    return state.sumCounts(Items.name(item), key, fromMillis, toMillis, bucketMillis);
  }

  @Override
  public void close() {}
}
