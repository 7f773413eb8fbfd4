package dev.bulwark.testkit;

import dev.bulwark.testing.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The pattern every SPI contract test follows: an abstract JUnit class, written once per SPI in
 * this module, that a store implementation runs by extending it and saying how to make a fresh,
 * empty store.
 *
 * <pre>{@code
 * import dev.bulwark.authn.lockout.spi.AttemptStore;
 * import dev.bulwark.testkit.authn.lockout.AttemptStoreContract;
 *
 * class MyAttemptStoreContractTest extends AttemptStoreContract {
 *   @Override protected AttemptStore createStore(FakeClock clock) {
 *     return AttemptStore.inMemory(clock);   // the host's own store here
 *   }
 * }
 * }</pre>
 *
 * <p>Each test method gets a new store and a new {@link FakeClock}; the store is closed after
 * the test if it is {@link AutoCloseable}. Contract tests are behavioural: they use only the SPI,
 * so the in-memory default, the file and JDBC adapters and a host's own implementation all run
 * the same assertions.
 *
 * @param <S> the SPI type under test
 */
public abstract class StoreContract<S> {

  /** The store under test, fresh for each test method. */
  protected S store;

  /** The clock the store was created with; tests move it instead of sleeping. */
  protected FakeClock clock;

  /**
   * Returns a new, empty store that reads time from {@code clock}. Called once before each test.
   * A store without a notion of time may ignore the clock.
   */
  protected abstract S createStore(FakeClock clock) throws Exception;

  @BeforeEach
  final void setUpStore() throws Exception {
    clock = FakeClock.atDefaultEpoch();
    store = createStore(clock);
  }

  @AfterEach
  final void tearDownStore() throws Exception {
    if (store instanceof AutoCloseable) {
      ((AutoCloseable) store).close();
    }
  }
}
