package dev.bulwark.benchmarks.crypto;

import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
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
 * Streaming round trip: one op = {@code size} bytes written through
 * {@code Envelope.newEncryptingStream} (64 KiB segments, each with its own tag; a fresh data key
 * per stream, wrapped under a local KEK) into a reused buffer, then read back through
 * {@code newDecryptingStream} into a 64 KiB buffer. Compared with one-shot raw AES-256-GCM of the
 * same size ({@code AesGcmBaseline}: JCA into new arrays, JCA into reused buffers, Tink). Set-up
 * first runs up to 2,000 round trips (or 30 s), like the baselines.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StreamingBenchmark {

  @Param({"1048576"})
  public int size;

  private final EncryptionContext context = EncryptionContext.of("file", "bench.bin");
  private Envelope envelope;
  private byte[] plaintext;
  private Buffer ciphertext;
  private byte[] readBuffer;

  /** A reusable output buffer (ByteArrayOutputStream would re-grow every call). */
  static final class Buffer extends OutputStream {
    byte[] data;
    int length;

    Buffer(int capacity) {
      data = new byte[capacity];
    }

    @Override
    public void write(int b) {
      data[length++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      System.arraycopy(b, off, data, length, len);
      length += len;
    }
  }

  @Setup
  public void setUp() throws GeneralSecurityException, IOException {
    SecureRandom random = new SecureRandom();
    byte[] master = new byte[32];
    random.nextBytes(master);
    envelope = Envelope.builder(Keyrings.builder(KeyringStores.inMemory(),
        KekProviders.local(KekProviders.masterKey(master))).build()).build();
    plaintext = new byte[size];
    random.nextBytes(plaintext);
    ciphertext = new Buffer(size + size / 1024 + 4096);
    readBuffer = new byte[64 * 1024];
    // As AesGcmBaseline: compile the JDK's AES-GCM intrinsics before JMH's warm-up, which at
    // 1 MiB per op is otherwise too short to finish that (measured: 17-25 ops/s while warming).
    long deadline = System.nanoTime() + 30_000_000_000L;
    for (int i = 0; i < 2_000 && System.nanoTime() < deadline; i++) {
      streamEncryptDecrypt();
    }
  }

  /** Encrypt through an OutputStream, then decrypt through an InputStream. */
  @Benchmark
  @ComparedWith({
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.jcaEncryptDecrypt",
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.jcaEncryptDecryptReusedBuffers",
      "dev.bulwark.benchmarks.baseline.AesGcmBaseline.tinkEncryptDecrypt"})
  public long streamEncryptDecrypt() throws GeneralSecurityException, IOException {
    ciphertext.length = 0;
    try (OutputStream out = envelope.newEncryptingStream(ciphertext, context)) {
      out.write(plaintext);
    }
    long sum = 0;
    try (InputStream in = envelope.newDecryptingStream(
        new ByteArrayInputStream(ciphertext.data, 0, ciphertext.length), context)) {
      int n;
      while ((n = in.read(readBuffer)) > 0) {
        sum += n + readBuffer[0];
      }
    }
    return sum;
  }
}
