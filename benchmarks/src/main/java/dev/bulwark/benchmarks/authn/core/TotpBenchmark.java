package dev.bulwark.benchmarks.authn.core;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.bulwark.authn.totp.TotpAlgorithm;
import dev.bulwark.authn.totp.TotpSecret;
import dev.bulwark.authn.totp.TotpSettings;
import dev.bulwark.authn.totp.TotpVerification;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.benchmarks.ComparedWith;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TOTP verification (SHA-1, 6 digits, 30 s, window +-1: three codes computed per check) against
 * the raw cost of one java-otp code and of one JCA HMAC-SHA1.
 *
 * <p>{@code verifyAccepted} is a real acceptance each time (a fresh step or credential, recorded
 * in the in-memory used-step store); {@code verifyRejected} is a wrong code (no store write).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class TotpBenchmark {

  private static final int CREDENTIALS = 1024;
  private static final int STEPS = 100_000;
  private static final long START_STEP = 60_000_000L;

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(START_STEP * 30));
  private TotpSecret secret;
  private TotpVerifier verifier;
  private String[] codes;
  private String[] credentialIds;
  private String wrongCode;
  private long counter;
  private TimeBasedOneTimePasswordGenerator javaOtp;
  private SecretKeySpec key;
  private Mac mac;
  private byte[] counterBytes;

  @Setup
  public void setUp() throws NoSuchAlgorithmException, InvalidKeyException {
    secret = TotpSecret.generate(TotpAlgorithm.SHA1, new SecureRandom());
    verifier = new TotpVerifier(TotpSettings.DEFAULT, UsedTotpStepStore.inMemory(now::get), now::get);
    codes = new String[STEPS];
    for (int i = 0; i < STEPS; i++) {
      codes[i] = verifier.codeAt(secret, Instant.ofEpochSecond((START_STEP + i) * 30));
    }
    credentialIds = new String[CREDENTIALS];
    for (int i = 0; i < CREDENTIALS; i++) {
      credentialIds[i] = "cred-" + i;
    }
    String current = codes[0];
    wrongCode = current.equals("000000") ? "000001" : "000000";
    javaOtp = new TimeBasedOneTimePasswordGenerator();
    key = new SecretKeySpec(secret.copyBytes(), "HmacSHA1");
    mac = Mac.getInstance("HmacSHA1");
    mac.init(key);
    counterBytes = new byte[8];
  }

  /** One java-otp code, formatted with Locale.ROOT. */
  @Benchmark
  public String javaOtpGenerate() throws InvalidKeyException {
    return javaOtp.generateOneTimePasswordString(key, now.get(), Locale.ROOT);
  }

  /** One raw HMAC-SHA1 over an 8-byte counter with a reused Mac: the cryptographic floor. */
  @Benchmark
  public byte[] hmacSha1() {
    counterBytes[7]++;
    return mac.doFinal(counterBytes);
  }

  @Benchmark
  @ComparedWith({"dev.bulwark.benchmarks.authn.core.TotpBenchmark.javaOtpGenerate",
      "dev.bulwark.benchmarks.authn.core.TotpBenchmark.hmacSha1"})
  public TotpVerification verifyAccepted() {
    long i = counter++;
    int step = (int) ((i / CREDENTIALS) % STEPS);
    now.set(Instant.ofEpochSecond((START_STEP + step) * 30));
    return verifier.verify(credentialIds[(int) (i % CREDENTIALS)], secret, codes[step]);
  }

  @Benchmark
  @ComparedWith({"dev.bulwark.benchmarks.authn.core.TotpBenchmark.javaOtpGenerate",
      "dev.bulwark.benchmarks.authn.core.TotpBenchmark.hmacSha1"})
  public TotpVerification verifyRejected() {
    return verifier.verify("cred-x", secret, wrongCode);
  }
}
