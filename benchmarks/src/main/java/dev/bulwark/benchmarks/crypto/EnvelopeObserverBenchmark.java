package dev.bulwark.benchmarks.crypto;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.EnvelopeObserver;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import dev.bulwark.micrometer.BulwarkObservations;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an {@link EnvelopeObserver} costs on {@code Envelope.encrypt} of {@code size} bytes (the
 * default envelope: cached data key, fresh nonce, local KEK), against the same envelope without an
 * observer in the same run ({@link #encryptWithoutObserver}, the baseline):
 *
 * <ul>
 *   <li>{@link #encryptNoopObserver}: an observer whose start and end do nothing, so the score is
 *       the hook itself (two calls and the once-only end flag);
 *   <li>{@link #encryptObservedNoopRegistry}: {@code bulwark-micrometer}'s bridge over
 *       {@code ObservationRegistry.NOOP} (observations switched off);
 *   <li>{@link #encryptObserved}: the bridge over a registry with one handler that counts stopped
 *       observations, so every message makes a real, timed {@code bulwark.crypto.encrypt}
 *       observation with its three tags.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EnvelopeObserverBenchmark {

  @Param({"1024"})
  public int size;

  private final EncryptionContext context = EncryptionContext.of("tenant", "acme");
  private final LongAdder stopped = new LongAdder();
  private Envelope plain;
  private Envelope noopObserver;
  private Envelope noopRegistry;
  private Envelope observed;
  private byte[] plaintext;

  private static final EnvelopeObserver.Message NOTHING = new EnvelopeObserver.Message() {
    @Override
    public void succeeded() {}

    @Override
    public void failed(EnvelopeObserver.Failure failure) {}
  };

  @Setup
  public void setUp() throws GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    byte[] master = new byte[32];
    random.nextBytes(master);
    Keyrings keyrings = Keyrings.builder(KeyringStores.inMemory(), KekProviders.local(KekProviders.masterKey(master)))
        .build();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
      @Override
      public boolean supportsContext(Observation.Context c) {
        return true;
      }

      @Override
      public void onStop(Observation.Context c) {
        stopped.increment();
      }
    });
    plain = Envelope.builder(keyrings).build();
    noopObserver = Envelope.builder(keyrings).observer((operation, mode) -> NOTHING).build();
    noopRegistry = Envelope.builder(keyrings).observer(new BulwarkObservations(ObservationRegistry.NOOP).envelope())
        .build();
    observed = Envelope.builder(keyrings).observer(new BulwarkObservations(registry).envelope()).build();
    plaintext = new byte[size];
    random.nextBytes(plaintext);
    // Compile the AES-GCM intrinsics before JMH's warm-up, as EnvelopeBenchmark does.
    long deadline = System.nanoTime() + 20_000_000_000L;
    for (int i = 0; i < 50_000 && System.nanoTime() < deadline; i++) {
      encryptWithoutObserver();
      encryptNoopObserver();
      encryptObservedNoopRegistry();
      encryptObserved();
    }
    if (stopped.sum() == 0) {
      throw new IllegalStateException("the observed envelope recorded no observation");
    }
  }

  /** The baseline: no observer, so no observer code runs. */
  @Benchmark
  public byte[] encryptWithoutObserver() throws GeneralSecurityException {
    return plain.encrypt(plaintext, context);
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.crypto.EnvelopeObserverBenchmark.encryptWithoutObserver")
  public byte[] encryptNoopObserver() throws GeneralSecurityException {
    return noopObserver.encrypt(plaintext, context);
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.crypto.EnvelopeObserverBenchmark.encryptWithoutObserver")
  public byte[] encryptObservedNoopRegistry() throws GeneralSecurityException {
    return noopRegistry.encrypt(plaintext, context);
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.crypto.EnvelopeObserverBenchmark.encryptWithoutObserver")
  public byte[] encryptObserved() throws GeneralSecurityException {
    return observed.encrypt(plaintext, context);
  }
}
