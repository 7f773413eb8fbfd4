package dev.bulwark.benchmarks.ratelimit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A cross-check for noisy machines, not a JMH benchmark: runs the ratelimit benchmark methods in
 * short alternating slices (Bulwark, peer, baseline, Bulwark, ...) on the same number of threads as
 * the JMH benchmark, so each variant sees the same background load, and prints the median
 * throughput per variant and the ratios of medians. Run with
 * {@code java -cp benchmarks/target/benchmarks.jar dev.bulwark.benchmarks.ratelimit.RateLimitInterleaved [memory|postgres|redis] [rounds]}.
 */
public final class RateLimitInterleaved {

  private RateLimitInterleaved() {}

  private static volatile Object sink;

  private static double slice(ExecutorService pool, int threads, Callable<?> op, long nanos) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Long>> futures = new ArrayList<>();
    long[] begin = new long[1];
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        start.await();
        long end = begin[0] + nanos;
        long n = 0;
        Object last = null;
        while (System.nanoTime() < end) {
          last = op.call();
          n++;
        }
        sink = last;
        return n;
      }));
    }
    begin[0] = System.nanoTime();
    start.countDown();
    long ops = 0;
    for (Future<Long> f : futures) {
      ops += f.get(5, TimeUnit.MINUTES);
    }
    return ops * 1e9 / (System.nanoTime() - begin[0]);
  }

  private static void compare(int threads, Map<String, Callable<?>> variants, int rounds, long sliceMillis) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int w = 0; w < 3; w++) {
        for (Callable<?> op : variants.values()) {
          slice(pool, threads, op, 1_000_000_000L);
        }
      }
      Map<String, List<Double>> samples = new LinkedHashMap<>();
      variants.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, Callable<?>> e : variants.entrySet()) {
          samples.get(e.getKey()).add(slice(pool, threads, e.getValue(), sliceMillis * 1_000_000L));
        }
      }
      Map<String, Double> medians = new LinkedHashMap<>();
      samples.forEach((k, v) -> {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        medians.put(k, a[a.length / 2]);
      });
      String first = variants.keySet().iterator().next();
      for (Map.Entry<String, Double> e : medians.entrySet()) {
        System.out.printf(Locale.ROOT, "%-18s %,14.0f ops/s   %s%n", e.getKey(), e.getValue(),
            e.getKey().equals(first) ? "" : String.format(Locale.ROOT, "%s / this = %.2fx", first, medians.get(first) / e.getValue()));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "memory";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    Map<String, Callable<?>> variants = new LinkedHashMap<>();
    switch (which) {
      case "memory": {
        RateLimitMemoryBenchmark b = new RateLimitMemoryBenchmark();
        b.setUp();
        variants.put("bulwark", b::bulwarkAcquire);
        variants.put("bucket4jLocal", b::bucket4jLocal);
        compare(1, variants, rounds, 150);
        break;
      }
      case "postgres": {
        RateLimitPostgresBenchmark b = new RateLimitPostgresBenchmark();
        b.setUp();
        variants.put("bulwark", b::bulwarkAcquire);
        variants.put("bucket4jPostgres", b::bucket4jPostgres);
        try {
          compare(16, variants, rounds, 500);
        } finally {
          b.tearDown();
        }
        break;
      }
      case "redis": {
        RateLimitRedisBenchmark b = new RateLimitRedisBenchmark();
        b.setUp();
        variants.put("bulwark", b::bulwarkAcquire);
        variants.put("bucket4jLettuce", b::bucket4jLettuce);
        variants.put("rawEvalsha", b::rawEvalsha);
        try {
          compare(16, variants, rounds, 500);
        } finally {
          b.tearDown();
        }
        break;
      }
      default:
        throw new IllegalArgumentException("memory, postgres or redis");
    }
  }
}
