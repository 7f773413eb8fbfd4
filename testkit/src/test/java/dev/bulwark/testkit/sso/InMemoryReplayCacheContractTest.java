package dev.bulwark.testkit.sso;

import dev.bulwark.sso.spi.ReplayCache;
import dev.bulwark.testing.FakeClock;

class InMemoryReplayCacheContractTest extends ReplayCacheContract {
  @Override
  protected ReplayCache createStore(FakeClock clock) {
    return ReplayCache.inMemory(clock, 1000);
  }
}
