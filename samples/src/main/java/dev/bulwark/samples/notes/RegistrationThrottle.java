package dev.bulwark.samples.notes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code limit} registration attempts per source address in a sliding {@code window}.
 * Counting is atomic per address (parallel requests cannot slip past the limit) and happens before
 * the username check and the Argon2id hash, so a flood costs the server neither. Memory is bounded:
 * at most {@link #MAX_SOURCES} addresses are tracked; expired ones are dropped first, and when that
 * is not enough new addresses are refused until room frees up (fail closed). Thread-safe.
 */
final class RegistrationThrottle {

  static final int MAX_SOURCES = 10_000;

  private final int limit;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Deque<Instant>> attempts = new ConcurrentHashMap<>();

  RegistrationThrottle(int limit, Duration window, Clock clock) {
    this.limit = limit;
    this.window = window;
    this.clock = clock;
  }

  /** Counts one attempt from {@code source}; false when the source is over its limit. */
  boolean tryAcquire(String source) {
    String key = source == null ? "unknown" : source;
    Instant now = clock.instant();
    if (!attempts.containsKey(key) && attempts.size() >= MAX_SOURCES) {
      sweep(now);
      if (attempts.size() >= MAX_SOURCES) {
        return false;
      }
    }
    boolean[] allowed = {false};
    attempts.compute(key, (k, times) -> {
      Deque<Instant> t = times == null ? new ArrayDeque<>() : times;
      while (!t.isEmpty() && !t.peekFirst().plus(window).isAfter(now)) {
        t.pollFirst();
      }
      if (t.size() < limit) {
        t.addLast(now);
        allowed[0] = true;
      }
      return t;
    });
    return allowed[0];
  }

  private void sweep(Instant now) {
    for (Iterator<Map.Entry<String, Deque<Instant>>> it = attempts.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Deque<Instant>> e = it.next();
      attempts.computeIfPresent(e.getKey(), (k, t) -> {
        while (!t.isEmpty() && !t.peekFirst().plus(window).isAfter(now)) {
          t.pollFirst();
        }
        return t.isEmpty() ? null : t;
      });
    }
  }
}
