package dev.bulwark.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.password.Pepper;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

class BulwarkPasswordEncoderTest {

  private static final byte[] PEPPER = new byte[32];
  private final PasswordHasher hasher = PasswordHasher.builder().pepper(Pepper.of("p1", PEPPER)).build();
  private final BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
  private final PasswordEncoder encoder = BulwarkPasswordEncoder.delegating(hasher, bcrypt);

  @Test
  void encode_writesPrefixedArgon2idPhc_thatMatchesOnlyTheRightPassword() {
    String stored = encoder.encode("correct horse");
    assertThat(stored).startsWith("{bulwark}$argon2id$v=19$");
    assertThat(encoder.matches("correct horse", stored)).isTrue();
    assertThat(encoder.matches("correct horsf", stored)).isFalse();
    assertThat(encoder.upgradeEncoding(stored)).isFalse();
  }

  @Test
  void legacyBcrypt_prefixedOrBare_matches_andAsksForAnUpgrade() {
    String bare = bcrypt.encode("old secret");
    for (String stored : new String[] {"{bcrypt}" + bare, bare}) {
      assertThat(encoder.matches("old secret", stored)).as(stored).isTrue();
      assertThat(encoder.matches("other", stored)).as(stored).isFalse();
      assertThat(encoder.upgradeEncoding(stored)).as(stored).isTrue();
    }
  }

  @Test
  void bareArgon2id_matches_andWeakerParametersOrAnotherPepperAskForAnUpgrade() {
    BulwarkPasswordEncoder plain = new BulwarkPasswordEncoder(hasher, null);
    String current = hasher.hash("pw-12345678");
    assertThat(encoder.matches("pw-12345678", current)).isTrue();
    assertThat(plain.upgradeEncoding(current)).isFalse();
    PasswordHasher weak = PasswordHasher.builder().pepper(Pepper.of("p1", PEPPER))
        .insecureParametersForTesting(Argon2idParameters.unchecked(8, 1, 1)).build();
    assertThat(plain.upgradeEncoding(weak.hash("pw-12345678"))).isTrue();
    PasswordHasher otherPepper = PasswordHasher.builder().pepper(Pepper.of("p2", new byte[32])).build();
    assertThat(plain.upgradeEncoding(otherPepper.hash("pw-12345678"))).isTrue();
  }

  @Test
  void malformedOrForeignHashes_neverMatch_andNeverThrow() {
    BulwarkPasswordEncoder noLegacy = new BulwarkPasswordEncoder(hasher, null);
    String bcryptHash = bcrypt.encode("pw");
    assertThat(noLegacy.matches("pw", bcryptHash)).isFalse();
    for (String bad : new String[] {"", "$argon2id$", "$argon2id$v=19$m=1,t=1,p=1$AAAA$", "{bulwark}garbage", "plain"}) {
      assertThat(encoder.matches("pw", bad)).as(bad).isFalse();
      assertThat(noLegacy.matches("pw", bad)).as(bad).isFalse();
    }
    assertThat(encoder.matches("pw", null)).isFalse();
  }
}
