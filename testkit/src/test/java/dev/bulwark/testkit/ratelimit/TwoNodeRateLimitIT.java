package dev.bulwark.testkit.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testing.redis.RedisServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs × 16 threads share one limit through PostgreSQL, then through Redis ({@link LimiterNode}).
 * The per-day burst is admitted exactly (not one more, not one less), and over the timed phase the
 * fleet is admitted at most burst + rate × span, the span running from the first node's first call
 * to the last node's last return.
 */
class TwoNodeRateLimitIT {

  private static final int THREADS = 16;
  private static final long WINDOW_MILLIS = 2_000;

  @TempDir
  Path dir;

  @Test
  void twoJvms_sharingPostgres_admitExactlyTheBurst_andAtMostBurstPlusRate() throws Exception {
    try (PostgresSchema db = PostgresSchema.create("ratelimit_nodes")) {
      dev.bulwark.ratelimit.jdbc.JdbcRateLimitStore.create(db.dataSource());
      run("pg", db.url(), db.user(), db.name());
    }
  }

  @Test
  void twoJvms_sharingRedis_admitExactlyTheBurst_andAtMostBurstPlusRate() throws Exception {
    try (RedisServer redis = RedisServer.start(dir)) {
      run("redis", redis.uri());
    }
  }

  private void run(String... storeArgs) throws Exception {
    long startAt = System.currentTimeMillis() + 4_000; // both JVMs up and connected by then
    List<Process> nodes = new ArrayList<>();
    for (int n = 0; n < 2; n++) {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), LimiterNode.class.getName()));
      cmd.addAll(List.of(storeArgs));
      cmd.addAll(List.of(Integer.toString(THREADS), Long.toString(startAt), Long.toString(WINDOW_MILLIS)));
      nodes.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }
    long exact = 0;
    long window = 0;
    long firstMs = Long.MAX_VALUE;
    long lastMs = 0;
    Pattern result = Pattern.compile("exact=(\\d+) window=(\\d+) unavailable=(\\d+) first=(\\d+) last=(\\d+)");
    for (Process p : nodes) {
      StringBuilder out = new StringBuilder();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          out.append(line).append('\n');
        }
      }
      assertTrue(p.waitFor(5, TimeUnit.MINUTES), "node finished");
      assertEquals(0, p.exitValue(), out.toString());
      Matcher m = result.matcher(out);
      assertTrue(m.find(), out.toString());
      assertEquals(0, Long.parseLong(m.group(3)), "no decision without the store: " + out);
      exact += Long.parseLong(m.group(1));
      window += Long.parseLong(m.group(2));
      firstMs = Math.min(firstMs, Long.parseLong(m.group(4)));
      lastMs = Math.max(lastMs, Long.parseLong(m.group(5)));
    }
    // Every window-phase decision was made by the store between the first node's first call and
    // the last node's last one (same machine, same clock; +1 ms for the clock's truncation).
    long spanMicros = (lastMs - firstMs + 1) * 1000;
    long bound = LimiterNode.WINDOW.burst() + spanMicros / LimiterNode.WINDOW.intervalMicros();
    System.out.println(storeArgs[0] + ": exact phase " + exact + " admitted (burst " + LimiterNode.EXACT.burst()
        + "), timed phase " + window + " admitted over " + (lastMs - firstMs) + " ms, bound burst + rate x span = " + bound);
    assertEquals(LimiterNode.EXACT.burst(), exact, "the fleet spent the per-day burst exactly");
    assertTrue(window <= bound, window + " admitted in the timed phase, bound " + bound + " over " + (lastMs - firstMs) + " ms");
    long inWindow = LimiterNode.WINDOW.burst() + WINDOW_MILLIS * 1000 / LimiterNode.WINDOW.intervalMicros();
    assertTrue(window >= inWindow / 2, window + " admitted: the limit was not starved (expected about " + inWindow + ")");
  }
}
