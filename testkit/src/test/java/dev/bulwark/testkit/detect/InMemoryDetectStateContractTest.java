package dev.bulwark.testkit.detect;

import dev.bulwark.detect.InMemoryDetectState;
import dev.bulwark.detect.spi.DetectState;
import dev.bulwark.testing.FakeClock;

/** The in-memory state (one node; two detectors share one instance) passes the contract. */
class InMemoryDetectStateContractTest extends DetectStateContract {
  @Override
  protected DetectState createStore(FakeClock clock) {
    return new InMemoryDetectState(1000);
  }
}
