package dev.bulwark.benchmarks.authn.sessions;

import dev.bulwark.authn.webauthn.Ceremony;
import dev.bulwark.authn.webauthn.InMemoryCredentialStore;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.WebAuthnException;
import dev.bulwark.authn.webauthn.WebAuthnLogin;
import dev.bulwark.authn.webauthn.WebAuthnPolicy;
import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.testing.webauthn.VirtualAuthenticator;
import java.time.Clock;
import java.util.Optional;
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
 * {@code WebAuthn.finishAuthentication} with in-memory stores: take the ceremony, parse the
 * browser JSON, Yubico's full verification (origin, RP id hash, challenge, flags, COSE key, ES256
 * signature), counter policy, counter write. The ceremony and the authenticator's signature are
 * prepared before each invocation and are not measured. Compared with one raw ES256 verify.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class WebAuthnAssertionBenchmark {

  private WebAuthn webauthn;
  private VirtualAuthenticator authenticator;
  private String ceremonyId;
  private String response;

  @Setup
  public void setUp() throws WebAuthnException {
    Clock clock = Clock.systemUTC();
    webauthn = WebAuthn.builder(WebAuthnPolicy.of("example.com", "Example", "https://example.com"),
        new InMemoryCredentialStore()).clock(clock).build();
    authenticator = new VirtualAuthenticator("https://example.com");
    Ceremony reg = webauthn.startRegistration("alice", "Alice");
    webauthn.finishRegistration(reg.id(), authenticator.register(reg.optionsJson()));
  }

  @Setup(Level.Invocation)
  public void nextCeremony() {
    Ceremony c = webauthn.startAuthentication(Optional.of("alice"));
    ceremonyId = c.id();
    response = authenticator.authenticate(c.optionsJson());
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.sessions.Es256VerifyBaseline.es256Verify")
  public WebAuthnLogin finishAuthentication() throws WebAuthnException {
    return webauthn.finishAuthentication(ceremonyId, response);
  }
}
