package dev.bulwark.ratelimit.spi;

import dev.bulwark.ratelimit.InMemoryRateLimitStore;
import dev.bulwark.ratelimit.Quota;
import java.util.List;

/**
 * Keeps one theoretical arrival time (TAT) per key and quota and applies the GCRA step to them
 * atomically. {@link dev.bulwark.ratelimit.RateLimiter} validates the input and turns the answer
 * into a decision; a store only does the step. Run {@code RateLimitStoreContract} from
 * {@code bulwark-testkit} against an implementation.
 *
 * <p>Contract for implementers. For a step at time {@code now} (the store's own clock, in
 * microseconds) with {@code cost} units and, for each quota, the interval {@code T} and the
 * tolerance {@code τ} ({@link Quota#intervalMicros()}, {@link Quota#toleranceMicros()}):
 * <ul>
 *   <li>{@code tat' = max(tat, now) + cost × T} for every quota (a key never seen has
 *       {@code tat = now}); the step is admitted if and only if {@code tat' − now ≤ τ} for
 *       every quota, and then, and only then, every quota's {@code tat'} is stored.
 *   <li>The step MUST be atomic per key: concurrent steps from any number of threads and nodes
 *       behave as if applied one after the other. No retry loops under contention.
 *   <li>A key that was stored with another number of quotas is treated as never seen.
 *   <li>A key may be forgotten once every stored TAT is at or before now (it then equals a key
 *       never seen), never earlier.
 *   <li>MUST be thread-safe; MUST NOT return null. When the step cannot be made (unreachable,
 *       timeout), throw {@link dev.bulwark.ratelimit.RateLimitStoreException}; the limiter applies its failure
 *       policy. Any other exception is treated the same way: it never admits.
 * </ul>
 */
@FunctionalInterface
public interface RateLimitStore {

  /**
   * Applies one GCRA step to {@code key}.
   *
   * @param key the limiter-qualified key, at most 600 characters
   * @param quotas the limiter's quotas, at least one, in a fixed order
   * @param cost units to take, at least 1 and at most the smallest burst
   */
  Step acquire(String key, List<Quota> quotas, long cost);

  /**
   * A store in this JVM's memory on the system clock, holding at most
   * {@link InMemoryRateLimitStore#DEFAULT_MAX_KEYS} keys; {@link InMemoryRateLimitStore#builder()}
   * for another clock or bound.
   */
  static RateLimitStore inMemory() {
    return InMemoryRateLimitStore.builder().build();
  }
}
