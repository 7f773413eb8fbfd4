package dev.bulwark.benchmarks.crypto;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The {@link EnvelopeObserverBenchmark} variants in short alternating slices (as
 * {@link InterleavedComparison}), so the envelope with and without an observer see the same
 * background load on a shared machine; median ops/s and ratios of medians. Optional argument: the
 * number of 150 ms rounds (default 41). Run with
 * {@code java -cp benchmarks/target/benchmarks.jar dev.bulwark.benchmarks.crypto.EnvelopeObserverInterleaved}.
 */
public final class EnvelopeObserverInterleaved {
  private EnvelopeObserverInterleaved() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 41;
    EnvelopeObserverBenchmark b = new EnvelopeObserverBenchmark();
    b.size = 1024;
    b.setUp();
    Map<String, Callable<?>> v = new LinkedHashMap<>();
    v.put("encrypt 1 KiB, no observer", b::encryptWithoutObserver);
    v.put("encrypt 1 KiB, no-op observer", b::encryptNoopObserver);
    v.put("encrypt 1 KiB, Micrometer, NOOP registry", b::encryptObservedNoopRegistry);
    v.put("encrypt 1 KiB, Micrometer, one handler", b::encryptObserved);
    InterleavedComparison.report("Envelope.encrypt with and without an observer", InterleavedComparison.compare(v, rounds));
  }
}
