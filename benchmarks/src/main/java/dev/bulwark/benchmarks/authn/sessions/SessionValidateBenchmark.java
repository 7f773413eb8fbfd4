package dev.bulwark.benchmarks.authn.sessions;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.session.InMemorySessionStore;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.authn.session.SessionPolicy;
import dev.bulwark.authn.session.SessionToken;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.benchmarks.ComparedWith;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
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
 * Session validation in memory: parse the 43-character token, SHA-256 it, look it up in the
 * Caffeine store, check both deadlines (touch interval 1 min, so no write per call). Compared with
 * the floor: decoding and hashing the token alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SessionValidateBenchmark {

  private static final int SESSIONS = 1024;

  private Sessions sessions;
  private String[] tokens;
  private int next;

  @Setup
  public void setUp() throws SessionException {
    Clock clock = Clock.systemUTC();
    sessions = Sessions.builder(new InMemorySessionStore(clock))
        .policy(SessionPolicy.nist(AssuranceLevel.AAL1)).clock(clock).build();
    tokens = new String[SESSIONS];
    for (int i = 0; i < SESSIONS; i++) {
      tokens[i] = sessions.create("user-" + i, AssuranceLevel.AAL2,
          Map.of(Factor.PASSWORD, clock.instant(), Factor.TOTP, clock.instant())).token().reveal();
    }
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.authn.sessions.SessionValidateBenchmark.decodeAndHashOnly")
  public Session validateInMemory() throws SessionException {
    next = (next + 1) & (SESSIONS - 1);
    return sessions.validate(tokens[next]);
  }

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  /** Baseline: base64url-decode and SHA-256 the token, nothing else. */
  @Benchmark
  public byte[] decodeAndHashOnly() {
    next = (next + 1) & (SESSIONS - 1);
    return SHA256.get().digest(Base64.getUrlDecoder().decode(tokens[next]));
  }

  /** Token parsing alone, for the README's overhead breakdown. */
  @Benchmark
  public Object parseOnly() throws SessionException {
    next = (next + 1) & (SESSIONS - 1);
    return SessionToken.parse(tokens[next]).hash();
  }
}
