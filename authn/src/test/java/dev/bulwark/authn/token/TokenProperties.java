package dev.bulwark.authn.token;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenProperties {

  /**
   * Whatever kid the attacker puts in the header (one of the trusted kids or not), a token signed
   * by a key outside the trusted set never validates.
   */
  @Test
  void tokenSignedByKeyNotInSetNeverValidates() {
    PropertyRunner.forAll(60, c -> {
      int trustedKeys = c.draw("trustedKeys", Generators.ints(1, 4));
      int kidChoice = c.draw("kidChoice", Generators.ints(0, 4));
      FakeClock clock = FakeClock.atDefaultEpoch();
      List<JWK> trusted = new ArrayList<>();
      for (int i = 0; i < trustedKeys; i++) {
        trusted.add(new ECKeyGenerator(Curve.P_256).keyID("k" + i).generate().toPublicJWK());
      }
      JWKSet set = new JWKSet(trusted);
      IdTokenValidator v = IdTokenValidator.builder("iss", "aud", set::toString).clock(clock).build();
      String kid = kidChoice < trustedKeys ? "k" + kidChoice : "attacker";
      ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
      JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("iss").audience("aud").subject("s")
          .issueTime(Date.from(clock.instant())).expirationTime(Date.from(clock.instant().plus(Duration.ofMinutes(5))))
          .claim("nonce", "n").build();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).jwk(attacker.toPublicJWK()).build(), claims);
      jwt.sign(new ECDSASigner(attacker));
      assertThrows(TokenException.class, () -> v.validate(jwt.serialize(), "n"));
    });
  }
}
