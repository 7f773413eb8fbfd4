package dev.bulwark.authn.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class TotpVerifierProperties {

  @Provide
  Arbitrary<TotpSettings> settings() {
    return Arbitraries.of(TotpAlgorithm.values()).flatMap(a ->
        Arbitraries.integers().between(6, 8).flatMap(d ->
            Arbitraries.of(15, 30, 60).flatMap(p ->
                Arbitraries.integers().between(0, 3).map(w -> new TotpSettings(a, d, Duration.ofSeconds(p), w)))));
  }

  @Provide
  Arbitrary<byte[]> seeds() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(20).ofMaxSize(64);
  }

  @Property(tries = 300)
  void codeOutsideTheWindow_fails(@ForAll("settings") TotpSettings s, @ForAll("seeds") byte[] seed,
      @ForAll @LongRange(min = 1_000_000_000L, max = 4_000_000_000L) long time, @ForAll @IntRange(min = 1, max = 50) int beyond,
      @ForAll boolean future) {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(time));
    TotpVerifier v = new TotpVerifier(s, UsedTotpStepStore.inMemory(now::get), now::get);
    TotpSecret secret = TotpSecret.ofBytes(seed);
    long period = s.period().getSeconds();
    long offsetSteps = (long) (s.window() + beyond) * (future ? 1 : -1);
    String code = v.codeAt(secret, now.get().plusSeconds(offsetSteps * period));
    // A code far away may coincide with a code inside the window (probability ~ (2w+1)/10^d); skip those.
    for (int d = -s.window(); d <= s.window(); d++) {
      Assume.that(!code.equals(v.codeAt(secret, now.get().plusSeconds(d * period))));
    }
    assertEquals(TotpVerification.Outcome.REJECTED, v.verify("c", secret, code).outcome());
  }

  @Property(tries = 200)
  void noCodeIsAcceptedTwice(@ForAll("settings") TotpSettings s, @ForAll("seeds") byte[] seed,
      @ForAll @LongRange(min = 1_000_000_000L, max = 4_000_000_000L) long start,
      @ForAll @Size(min = 1, max = 30) List<@IntRange(min = -90, max = 90) Integer> attempts) {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(start));
    TotpVerifier v = new TotpVerifier(s, UsedTotpStepStore.inMemory(now::get), now::get);
    TotpSecret secret = TotpSecret.ofBytes(seed);
    Set<Long> acceptedSteps = new HashSet<>();
    long lastAccepted = Long.MIN_VALUE;
    for (int move : attempts) {
      // Time moves forward by 0..90 s; the user types the code of a random nearby instant.
      now.set(now.get().plusSeconds(Math.abs(move)));
      String code = v.codeAt(secret, now.get().plusSeconds(move / 3));
      TotpVerification r = v.verify("c", secret, code);
      if (r.accepted()) {
        assertFalse(acceptedSteps.contains(r.step()), "step accepted twice");
        assertNotEquals(Boolean.TRUE, r.step() <= lastAccepted, "accepted a step not after the last accepted one");
        acceptedSteps.add(r.step());
        lastAccepted = r.step();
        assertEquals(TotpVerification.Outcome.REPLAYED, v.verify("c", secret, code).outcome());
      }
    }
  }
}
