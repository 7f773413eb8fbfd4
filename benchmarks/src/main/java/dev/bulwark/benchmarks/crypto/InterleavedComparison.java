package dev.bulwark.benchmarks.crypto;

import dev.bulwark.benchmarks.baseline.AesGcmBaseline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A cross-check for noisy machines, not a JMH benchmark: runs the same benchmark methods in short
 * alternating slices (A, B, C, A, B, C, ...) so every variant sees the same background load, and
 * reports median throughput per variant and ratios of medians. Each variant first warms up for
 * 5 x 1 s (the AWS peer also warms up in its set-up). An optional argument sets the number of
 * 150 ms rounds (default 15). Run with
 * {@code java -cp benchmarks/target/benchmarks.jar dev.bulwark.benchmarks.crypto.InterleavedComparison}.
 */
public final class InterleavedComparison {
  private InterleavedComparison() {}

  private static volatile Object sink;

  private static double slice(Callable<?> op, long nanos) throws Exception {
    long start = System.nanoTime();
    long n = 0;
    long now;
    do {
      sink = op.call();
      n++;
      now = System.nanoTime();
    } while (now - start < nanos);
    return n * 1e9 / (now - start);
  }

  static Map<String, Double> compare(Map<String, Callable<?>> variants, int rounds) throws Exception {
    for (int w = 0; w < 5; w++) {
      for (Callable<?> op : variants.values()) {
        slice(op, 1_000_000_000L);
      }
    }
    Map<String, List<Double>> samples = new LinkedHashMap<>();
    variants.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
    for (int r = 0; r < rounds; r++) {
      for (Map.Entry<String, Callable<?>> e : variants.entrySet()) {
        samples.get(e.getKey()).add(slice(e.getValue(), 150_000_000L));
      }
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    samples.forEach((k, v) -> {
      double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
      Arrays.sort(a);
      medians.put(k, a[a.length / 2]);
    });
    return medians;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    for (int size : new int[] {1024, 65536}) {
      AesGcmBaseline raw = new AesGcmBaseline();
      raw.size = size;
      raw.setUp();
      EnvelopeBenchmark ours = new EnvelopeBenchmark();
      ours.size = size;
      ours.setUp();
      TinkEnvelopePeer tink = new TinkEnvelopePeer();
      tink.size = size;
      tink.setUp();
      AwsEsdkPeer esdk = new AwsEsdkPeer();
      esdk.size = size;
      esdk.setUp();
      Map<String, Callable<?>> v = new LinkedHashMap<>();
      v.put("raw AES-256-GCM (JCA)", raw::jcaEncryptDecrypt);
      v.put("raw AES-256-GCM (JCA, reused buffers)", raw::jcaEncryptDecryptReusedBuffers);
      v.put("raw AES-256-GCM (Tink)", raw::tinkEncryptDecrypt);
      v.put("Bulwark envelope, fresh DEK", ours::envelopeEncryptDecryptFreshDek);
      v.put("Bulwark envelope, cached DEK", ours::envelopeEncryptDecryptCachedDek);
      v.put("Tink KmsEnvelopeAead", tink::encryptDecrypt);
      v.put("AWS Encryption SDK", esdk::encryptDecrypt);
      report("round trip, " + size + " B", compare(v, rounds));
    }
    AesGcmBaseline raw = new AesGcmBaseline();
    raw.size = 1 << 20;
    raw.setUp();
    StreamingBenchmark stream = new StreamingBenchmark();
    stream.size = 1 << 20;
    stream.setUp();
    Map<String, Callable<?>> v = new LinkedHashMap<>();
    v.put("raw AES-256-GCM (JCA)", raw::jcaEncryptDecrypt);
    v.put("raw AES-256-GCM (JCA, reused buffers)", raw::jcaEncryptDecryptReusedBuffers);
    v.put("raw AES-256-GCM (Tink)", raw::tinkEncryptDecrypt);
    v.put("Bulwark streaming, 64 KiB segments", stream::streamEncryptDecrypt);
    report("round trip, 1 MiB", compare(v, rounds));
    GcmKeySetupBenchmark keySetup = new GcmKeySetupBenchmark();
    keySetup.size = 1024;
    keySetup.setUp();
    Map<String, Callable<?>> k = new LinkedHashMap<>();
    k.put("init + encrypt 1 KiB, same key bytes", keySetup::sameKeyBytes);
    k.put("init + encrypt 1 KiB, alternating keys", keySetup::alternatingKeys);
    report("AES-GCM key set-up (JDK AESCrypt)", compare(k, rounds));
  }

  static void report(String title, Map<String, Double> medians) {
    double[] base = {0};
    System.out.println("\n" + title + " (median ops/s; ratio to each column)");
    medians.forEach((k, m) -> {
      if (base[0] == 0) {
        base[0] = m;
      }
      StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-40s %12.0f", k, m));
      medians.forEach((k2, m2) -> sb.append(String.format(Locale.ROOT, "  %8.2fx", m / m2)));
      System.out.println(sb);
    });
    System.out.println("  columns: " + String.join(" | ", medians.keySet()));
  }
}
