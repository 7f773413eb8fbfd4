package dev.bulwark.authn.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.testing.Gen;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TotpVerifierProperties {

  static Gen<TotpSettings> settings() {
    Gen<TotpAlgorithm> algorithms = Generators.oneOf(TotpAlgorithm.values());
    Gen<Integer> digits = Generators.ints(6, 8);
    Gen<Integer> periods = Generators.oneOf(15, 30, 60);
    Gen<Integer> windows = Generators.ints(0, 3);
    return r -> new TotpSettings(algorithms.next(r), digits.next(r), Duration.ofSeconds(periods.next(r)), windows.next(r));
  }


  static Gen<byte[]> seeds() {
    return Generators.bytes(20, 64);
  }


  @Test
  void codeOutsideTheWindow_fails() {
    PropertyRunner.forAll(300, c -> {
      TotpSettings s = c.draw("s", settings());
      byte[] seed = c.draw("seed", seeds());
      long time = c.draw("time", Generators.longs(1_000_000_000L, 4_000_000_000L));
      int beyond = c.draw("beyond", Generators.ints(1, 50));
      boolean future = c.draw("future", Generators.booleans());
      AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(time));
      TotpVerifier v = new TotpVerifier(s, UsedTotpStepStore.inMemory(now::get), now::get);
      TotpSecret secret = TotpSecret.ofBytes(seed);
      long period = s.period().getSeconds();
      long offsetSteps = (long) (s.window() + beyond) * (future ? 1 : -1);
      String code = v.codeAt(secret, now.get().plusSeconds(offsetSteps * period));
      // A code far away may coincide with a code inside the window (probability ~ (2w+1)/10^d); skip those.
      for (int d = -s.window(); d <= s.window(); d++) {
        c.assume(!code.equals(v.codeAt(secret, now.get().plusSeconds(d * period))));
      }
      assertEquals(TotpVerification.Outcome.REJECTED, v.verify("c", secret, code).outcome());
    });
  }

  @Test
  void noCodeIsAcceptedTwice() {
    PropertyRunner.forAll(200, c -> {
      TotpSettings s = c.draw("s", settings());
      byte[] seed = c.draw("seed", seeds());
      long start = c.draw("start", Generators.longs(1_000_000_000L, 4_000_000_000L));
      List<Integer> attempts = c.draw("attempts", Generators.lists(Generators.ints(-90, 90), 1, 30));
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
    });
  }
}
