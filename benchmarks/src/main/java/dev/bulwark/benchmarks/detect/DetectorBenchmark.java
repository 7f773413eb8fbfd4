package dev.bulwark.benchmarks.detect;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.detect.Assessment;
import dev.bulwark.detect.Detector;
import dev.bulwark.detect.EventKind;
import dev.bulwark.detect.ActivityEvent;
import dev.bulwark.testkit.detect.SyntheticTraffic;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Every detector on, one node, in memory, over labelled synthetic traffic (testkit's
 * {@link SyntheticTraffic}: logins, failures, MFA, session uses and attacks, with the test
 * resolver), one thread.
 *
 * <ul>
 *   <li>{@code decodeOnly}: the baseline — decode one event from its line form
 *       ({@code millis|kind|account|address|agent|device|session}) into a {@link ActivityEvent}.
 *   <li>{@code decodeAndAssess}: the same decoding, then {@code Detector.assess} with all detectors.
 * </ul>
 *
 * The events are replayed in time order; after the last one, a fresh detector starts over (its
 * windows run on event time), so the score includes growing the state from empty. The first
 * pass runs mostly before the JIT compiled the detector: warm up for several seconds
 * ({@code -wi 5 -w 3}) or the score measures the interpreter.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class DetectorBenchmark {

  private String[] lines;
  private int next;
  private Detector detector;

  @Setup(Level.Trial)
  public void setUp() {
    List<String> l = new ArrayList<>();
    for (SyntheticTraffic.Labelled e : new SyntheticTraffic(new SyntheticTraffic.Settings(3_000, 7, 20, 5, 4, 40, 20, 40), 7L)) {
      ActivityEvent s = e.event();
      l.add(s.at().toEpochMilli() + "|" + s.kind().ordinal() + "|" + n(s.account()) + "|" + n(s.source()) + "|"
          + n(s.userAgent()) + "|" + n(s.deviceId()) + "|" + n(s.sessionId()));
    }
    lines = l.toArray(new String[0]);
    detector = newDetector();
  }

  private static String n(String s) {
    return s == null ? "" : s;
  }

  private static Detector newDetector() {
    return Detector.builder().resolver(SyntheticTraffic.resolver()).build();
  }

  private static final EventKind[] KINDS = EventKind.values();

  static ActivityEvent decode(String line) {
    int a = line.indexOf('|');
    int b = line.indexOf('|', a + 1);
    int c = line.indexOf('|', b + 1);
    int d = line.indexOf('|', c + 1);
    int e = line.indexOf('|', d + 1);
    int f = line.indexOf('|', e + 1);
    return new ActivityEvent(Instant.ofEpochMilli(Long.parseLong(line, 0, a, 10)),
        KINDS[Integer.parseInt(line, a + 1, b, 10)], part(line, b + 1, c), part(line, c + 1, d), part(line, d + 1, e),
        part(line, e + 1, f), part(line, f + 1, line.length()));
  }

  private static String part(String s, int from, int to) {
    return from == to ? null : s.substring(from, to);
  }

  private String nextLine() {
    if (next == lines.length) {
      next = 0;
      detector = newDetector();
    }
    return lines[next++];
  }

  @Benchmark
  public ActivityEvent decodeOnly() {
    return decode(nextLine());
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.detect.DetectorBenchmark.decodeOnly")
  public Assessment decodeAndAssess() {
    String line = nextLine();
    return detector.assess(decode(line));
  }
}
