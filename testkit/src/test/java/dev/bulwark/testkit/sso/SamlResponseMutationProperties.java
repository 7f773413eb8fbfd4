package dev.bulwark.testkit.sso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.sso.saml.SentRequest;
import dev.bulwark.testing.FakeClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * For every random change to the bytes of a genuine signed response (flip, insert, delete a byte),
 * validation either refuses with a typed reason or returns exactly the genuine identity; it never
 * throws anything else and never returns a different identity.
 */
class SamlResponseMutationProperties {

  static final long SEED = Long.getLong("bulwark.seed", 0x5A3L);
  static final int CASES = Integer.getInteger("bulwark.cases", 300);

  @Test
  void everyMutation_isRefusedOrChangesNothing() throws Exception {
    URI acs = URI.create("https://app.example/saml/acs");
    FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T10:00:00Z"));
    TestIdp idp = new TestIdp();
    // Accept every ID: this property is about parsing and signatures, not replay.
    SamlServiceProvider sp = SamlServiceProvider.builder("https://app.example/saml", acs, idp.metadata())
        .clock(clock).replayCache((i, id, exp) -> true).build();
    SentRequest sent = sp.authnRequestRedirect("").request();
    Document d = TestIdp.build(idp.spec("https://app.example/saml", acs, sent.id(), clock.instant()));
    TestIdp.sign(TestIdp.assertion(d), idp.signing());
    byte[] genuine = TestIdp.bytes(d);
    VerifiedIdentity expected = sp.validate(Base64.getEncoder().encodeToString(genuine), sent);

    SplittableRandom random = new SplittableRandom(SEED);
    for (int n = 0; n < CASES; n++) {
      byte[] m = mutate(genuine, random);
      try {
        VerifiedIdentity got = sp.validate(Base64.getEncoder().encodeToString(m), sent);
        assertEquals(expected, got, "seed " + SEED + " case " + n + " changed the identity: "
            + new String(m, StandardCharsets.UTF_8));
      } catch (SsoRefusedException refused) {
        // typed refusal
      } catch (RuntimeException e) {
        fail("seed " + SEED + " case " + n + " threw " + e, e);
      }
    }
  }

  static byte[] mutate(byte[] in, SplittableRandom r) {
    int pos = r.nextInt(in.length);
    switch (r.nextInt(3)) {
      case 0 -> {
        byte[] out = in.clone();
        out[pos] ^= (byte) (1 << r.nextInt(8));
        return out;
      }
      case 1 -> {
        byte[] out = new byte[in.length + 1];
        System.arraycopy(in, 0, out, 0, pos);
        out[pos] = (byte) " <>\"'=&;#-/x0"
            .charAt(r.nextInt(13));
        System.arraycopy(in, pos, out, pos + 1, in.length - pos);
        return out;
      }
      default -> {
        byte[] out = new byte[in.length - 1];
        System.arraycopy(in, 0, out, 0, pos);
        System.arraycopy(in, pos + 1, out, pos, in.length - pos - 1);
        return out;
      }
    }
  }
}
