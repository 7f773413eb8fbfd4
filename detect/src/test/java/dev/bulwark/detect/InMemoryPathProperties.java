package dev.bulwark.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.detect.internal.Members;
import dev.bulwark.detect.spi.DetectState;
import dev.bulwark.detect.spi.LocationResolver;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The in-memory fast path (one lock per key and event, flat sets, records kept as objects) gives
 * exactly the answers of the plain {@link DetectState} path (one SPI call per step, records packed
 * as text) that the shared stores take.
 */
class InMemoryPathProperties {

  private static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");
  private static final String[] UAS = {
      "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
      "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", "curl/8.5", null};

  /** Resolves 10.x.y.z to one of a few cities by x (x % 4), others to nowhere. */
  private static final LocationResolver CITIES = ip -> {
    if (!ip.startsWith("10.")) {
      return Optional.empty();
    }
    int x = Integer.parseInt(ip.split("\\.")[1]) % 4;
    double[][] ll = {{52.52, 13.40}, {48.14, 11.58}, {35.68, 139.69}, {40.71, -74.0}};
    String[] cc = {"DE", "DE", "JP", "US"};
    return Optional.of(new Location(ll[x][0], ll[x][1], 25, cc[x], "AS" + x));
  };

  /** The same in-memory state seen only through the SPI (the detector cannot take its fast path). */
  private static DetectState throughSpi(InMemoryDetectState real) {
    return (DetectState) Proxy.newProxyInstance(DetectState.class.getClassLoader(), new Class<?>[] {DetectState.class},
        (proxy, m, args) -> m.invoke(real, args));
  }

  @Test
  void fastPath_answersExactlyAsTheSpiPath() {
    PropertyRunner.forAll(60, c -> {
      Thresholds th = Thresholds.DEFAULTS.withAccountFailures(c.draw("medium", Generators.ints(1, 4)),
          c.draw("high", Generators.ints(4, 9))).withSourceDistinctAccounts(c.draw("spray", Generators.ints(2, 5)))
          .withGlobal(2, c.draw("globalFloor", Generators.ints(2, 12)), 2).withMaxTrackedKeys(c.draw("keys",
              Generators.ints(16, 200)));
      Detector fast = Detector.builder().thresholds(th).resolver(CITIES).state(new InMemoryDetectState(th.maxTrackedKeys()))
          .build();
      Detector spi = Detector.builder().thresholds(th).resolver(CITIES)
          .state(throughSpi(new InMemoryDetectState(th.maxTrackedKeys()))).build();
      long t = T0.toEpochMilli();
      int events = c.draw("events", Generators.ints(50, 600));
      for (int i = 0; i < events; i++) {
        // Gaps from 0 ms to hours, now and then exactly a window width; now and then an older event.
        long gap = switch (c.draw("gapKind", Generators.ints(0, 5))) {
          case 0 -> 0;
          case 1 -> c.draw("ms", Generators.longs(1, 2_000));
          case 2 -> Duration.ofMinutes(c.draw("min", Generators.ints(1, 20))).toMillis();
          case 3 -> Duration.ofMinutes(15).toMillis();
          case 4 -> -c.draw("back", Generators.longs(1, 60_000));
          default -> Duration.ofHours(c.draw("h", Generators.ints(1, 30))).toMillis();
        };
        t += gap;
        EventKind kind = c.draw("kind", Generators.oneOf(EventKind.values()));
        String account = pick(c, "account", "ann", "bob", "cy", "dee", "eve", "u" + (i % 40), null);
        String source = pick(c, "source", "10.0.0.1", "10.1.7.2", "10.2.7.9", "10.3.1.1",
            "192.0.2." + (i % 30), "2001:db8:1:2::5", null);
        String ua = pick(c, "ua", UAS);
        String device = pick(c, "device", "d1", "d2", "d3", null);
        String session = pick(c, "session", "s1", "s2", "s" + (i % 17), null);
        ActivityEvent e = new ActivityEvent(Instant.ofEpochMilli(t), kind, account, source, ua, device, session);
        Assessment a = fast.assess(e);
        Assessment b = spi.assess(e);
        assertEquals(b.level(), a.level(), "event " + i + " " + e);
        assertEquals(b.findings(), a.findings(), "event " + i + " " + e);
      }
      assertEquals(0, fast.stateFailures() + spi.stateFailures());
    });
  }

  @Test
  void flatMembers_behaveAsTheOrderedMapTheyReplace() {
    PropertyRunner.forAll(300, c -> {
      Members flat = new Members();
      LinkedHashMap<String, Long> model = new LinkedHashMap<>();
      int cap = c.draw("cap", Generators.ints(1, 12));
      long width = c.draw("width", Generators.longs(1, 100));
      long t = 1_000;
      int steps = c.draw("steps", Generators.ints(1, 200));
      for (int i = 0; i < steps; i++) {
        t += c.draw("gap", Generators.longs(-20, 40));
        String m = c.draw("member", Generators.oneOf("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"));
        switch (c.draw("op", Generators.ints(0, 2))) {
          case 0 -> {
            Long old = model.remove(m);
            model.put(m, old == null ? t : Math.max(old, t));
            if (model.size() > cap) {
              Iterator<String> it = model.keySet().iterator();
              it.next();
              it.remove();
            }
            assertEquals(count(model, t, width), flat.add(m, t, width, cap), "add " + m + " at " + t);
          }
          case 1 -> assertEquals(count(model, t, width), flat.count(t, width), "count at " + t);
          default -> assertEquals(model.containsKey(m), flat.contains(m), "contains " + m);
        }
      }
    });
  }

  @Test
  void counterRing_sumsAsAMapOfBuckets_withinWhatItKeeps() {
    PropertyRunner.forAll(300, c -> {
      int span = c.draw("span", Generators.ints(1, 10));
      long keepMillis = c.draw("keep", Generators.longs(1, 50)) * 100;
      dev.bulwark.detect.internal.Counter ring = new dev.bulwark.detect.internal.Counter(100, span, keepMillis);
      java.util.TreeMap<Long, Long> model = new java.util.TreeMap<>();
      long kept = Math.max(span, keepMillis / 100 + 1);
      long newest = Long.MIN_VALUE;
      long t = 10_000;
      int steps = c.draw("steps", Generators.ints(1, 150));
      for (int i = 0; i < steps; i++) {
        t += c.draw("gap", Generators.longs(-300, 700));
        long b = Math.floorDiv(t, 100);
        if (c.draw("add", Generators.booleans())) {
          // Only adding moves the ring: the buckets within what it keeps of the newest stay.
          newest = Math.max(newest, b);
          long oldest = newest - kept + 1;
          model.headMap(oldest).clear();
          long delta = c.draw("delta", Generators.longs(1, 5));
          if (b >= oldest) {
            model.merge(b, delta, Long::sum);
          }
          // Mostly the same span, as the detector uses; now and then another.
          int sp = c.draw("otherSpan", Generators.ints(0, 9)) == 0 ? c.draw("spanNow", Generators.ints(1, span)) : span;
          assertEquals(sum(model, b - sp + 1, b), ring.add(t, delta, sp), "add at " + t);
        } else {
          long from = t - c.draw("back", Generators.longs(0, 3_000));
          assertEquals(sum(model, Math.floorDiv(from, 100), b), ring.sum(from, t, 100), "sum to " + t);
        }
      }
    });
  }

  private static long sum(java.util.TreeMap<Long, Long> model, long from, long to) {
    return from > to ? 0 : model.subMap(from, true, to, true).values().stream().mapToLong(Long::longValue).sum();
  }

  /** One of {@code options} (which may hold null). */
  private static String pick(dev.bulwark.testing.Case c, String label, String... options) {
    return options[c.draw(label, Generators.ints(0, options.length - 1))];
  }

  private static int count(LinkedHashMap<String, Long> model, long t, long width) {
    Iterator<Long> it = model.values().iterator();
    while (it.hasNext() && it.next() <= t - width) {
      it.remove();
    }
    return model.size();
  }
}
