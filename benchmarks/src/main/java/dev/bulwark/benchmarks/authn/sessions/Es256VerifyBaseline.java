package dev.bulwark.benchmarks.authn.sessions;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
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
 * The floor for a WebAuthn assertion: one raw JCA ES256 (SHA256withECDSA, P-256) verification of
 * the same 69 bytes an assertion signs (37 bytes of authenticator data + a 32-byte hash).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class Es256VerifyBaseline {

  private KeyPair keyPair;
  private byte[] message;
  private byte[] signature;

  @Setup
  public void setUp() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    keyPair = g.generateKeyPair();
    message = new byte[69];
    new SecureRandom().nextBytes(message);
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(keyPair.getPrivate());
    s.update(message);
    signature = s.sign();
  }

  @Benchmark
  public boolean es256Verify() throws GeneralSecurityException {
    Signature v = Signature.getInstance("SHA256withECDSA");
    v.initVerify(keyPair.getPublic());
    v.update(message);
    return v.verify(signature);
  }
}
