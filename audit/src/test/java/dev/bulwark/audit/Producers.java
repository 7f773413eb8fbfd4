package dev.bulwark.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.StoredEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** Many threads appending to one {@link AuditLog} while a test breaks the store underneath, and the check afterwards. */
public final class Producers {
  private Producers() {}

  /** What the producers saw: acknowledged appends (name to seq), failed ones, and the failures' messages. */
  public record Results(Map<String, Long> acked, Set<String> failed, List<String> errors) {}

  /**
   * {@code threads} threads append {@code perThread} events each, mostly one at a time and every
   * tenth time a batch of three through {@code appendAll}; each event is a service event named
   * {@code t<thread>#<i>} (actor {@code t<thread>}, detail {@code i}).
   */
  public static Results appendFromThreads(AuditLog log, int threads, int perThread) throws InterruptedException {
    Map<String, Long> acked = new ConcurrentHashMap<>();
    Set<String> failed = ConcurrentHashMap.newKeySet();
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread th = new Thread(() -> {
        for (int i = 0; i < perThread; ) {
          int n = i % 10 == 0 ? Math.min(3, perThread - i) : 1;
          List<AuditEvent> events = new ArrayList<>();
          List<String> names = new ArrayList<>();
          for (int k = 0; k < n; k++) {
            names.add("t" + thread + "#" + (i + k));
            events.add(AuditEvent.builder(Action.SENSITIVE_UPDATE, Actor.service("t" + thread))
                .detail("i", Integer.toString(i + k)).build(Clock.systemUTC()));
          }
          try {
            List<Appended> done = log.appendAll(events);
            for (int k = 0; k < n; k++) {
              acked.put(names.get(k), done.get(k).seq());
            }
          } catch (AuditException e) {
            failed.addAll(names);
            errors.add(e.getMessage());
          }
          i += n;
        }
      }, "producer-" + t);
      th.start();
      producers.add(th);
    }
    for (Thread th : producers) {
      th.join();
    }
    return new Results(acked, failed, errors);
  }

  /**
   * Every acknowledged append is stored once, at its seq; no failed one is stored; no other
   * service event is stored. Service events are named {@code <actor id>#<detail i>}.
   */
  public static void assertExactlyTheAcknowledged(AuditStore store, Map<String, Long> acked, Set<String> failed) {
    Map<String, Long> stored = new HashMap<>();
    try (Stream<StoredEvent> s = store.read(store.head().base().firstSeq())) {
      for (StoredEvent e : (Iterable<StoredEvent>) s::iterator) {
        assertFalse(e.isDamaged(), e.location() + ": " + e.damage());
        LoggedEvent le;
        try {
          le = CanonicalEncoding.decode(e.payload());
        } catch (AuditFormatException ex) {
          throw new AssertionError(e.location(), ex);
        }
        if (le.event().actor().type() == ActorType.SERVICE) {
          String name = le.event().actor().id() + "#" + le.event().details().get("i");
          assertNull(stored.put(name, le.seq()), name + " is stored twice");
        }
      }
    }
    for (Map.Entry<String, Long> a : acked.entrySet()) {
      assertEquals(a.getValue(), stored.get(a.getKey()), "acknowledged " + a.getKey() + " is stored at its seq");
    }
    for (String f : failed) {
      assertFalse(stored.containsKey(f), "failed append " + f + " left a trace");
    }
    assertEquals(acked.keySet(), stored.keySet(), "only acknowledged appends are stored");
  }
}
