package dev.bulwark.authn.totp;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Objects;
import javax.crypto.SecretKey;

/**
 * Verifies RFC 6238 codes with java-otp: a drift window around the current step, constant-time
 * comparison, and replay rejection through a {@link UsedTotpStepStore}.
 *
 * <p>A code is accepted when it equals the code of a step {@code s} with
 * {@code |s - current| <= window} and the store agrees to record {@code s} as used for the
 * credential. The store only moves forward, so after a code of step {@code s} is accepted, no
 * code of step {@code s} or earlier is accepted again for that credential: not the same code,
 * and not an older code an attacker saw over the user's shoulder.
 *
 * <p>Thread-safe. Every code in the window is computed and compared, whether or not an earlier
 * one matched, so the time taken does not depend on which step matched. Codes are formatted with
 * {@link Locale#ROOT} (java-otp's default locale can produce non-ASCII digits).
 */
public final class TotpVerifier {

  private final TotpSettings settings;
  private final UsedTotpStepStore usedSteps;
  private final InstantSource clock;
  private final TimeBasedOneTimePasswordGenerator generator;

  public TotpVerifier(TotpSettings settings, UsedTotpStepStore usedSteps, InstantSource clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.usedSteps = Objects.requireNonNull(usedSteps, "usedSteps");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.generator = generator(settings);
  }

  static TimeBasedOneTimePasswordGenerator generator(TotpSettings settings) {
    return new TimeBasedOneTimePasswordGenerator(settings.period(), settings.digits(), settings.algorithm().jcaName());
  }

  public TotpSettings settings() {
    return settings;
  }

  /**
   * Checks {@code code} for the credential {@code credentialId} (the replay-protection key: use
   * an id that is unique per enrolled secret).
   *
   * @throws IllegalArgumentException if {@code credentialId} is null or empty, or
   *     {@code secret} is null
   */
  public TotpVerification verify(String credentialId, TotpSecret secret, String code) {
    if (credentialId == null || credentialId.isEmpty()) {
      throw new IllegalArgumentException("credentialId must not be null or empty");
    }
    if (secret == null) {
      throw new IllegalArgumentException("secret must not be null");
    }
    if (!wellFormed(code)) {
      return TotpVerification.of(TotpVerification.Outcome.MALFORMED);
    }
    long period = settings.period().getSeconds();
    long current = Math.floorDiv(clock.instant().getEpochSecond(), period);
    byte[] given = code.getBytes(StandardCharsets.US_ASCII);
    SecretKey key = secret.key(settings.algorithm());
    int matchedDrift = Integer.MIN_VALUE;
    for (int d = -settings.window(); d <= settings.window(); d++) {
      boolean equal = MessageDigest.isEqual(codeAt(key, current + d).getBytes(StandardCharsets.US_ASCII), given);
      // Prefer the step nearest the current one if two steps share a code.
      if (equal && (matchedDrift == Integer.MIN_VALUE || Math.abs(d) < Math.abs(matchedDrift))) {
        matchedDrift = d;
      }
    }
    if (matchedDrift == Integer.MIN_VALUE) {
      return TotpVerification.of(TotpVerification.Outcome.REJECTED);
    }
    long step = current + matchedDrift;
    // After (step + window + 1) * period no verifier with this window can accept the step again.
    Instant expiresAt = Instant.ofEpochSecond((step + settings.window() + 1) * period);
    boolean fresh = usedSteps.markUsed(credentialId, step, expiresAt);
    return new TotpVerification(
        fresh ? TotpVerification.Outcome.ACCEPTED : TotpVerification.Outcome.REPLAYED, step, matchedDrift);
  }

  /** The code for {@code secret} at {@code instant}, for tests and for showing a code during enrolment checks. */
  public String codeAt(TotpSecret secret, Instant instant) {
    long step = Math.floorDiv(instant.getEpochSecond(), settings.period().getSeconds());
    return codeAt(secret.key(settings.algorithm()), step);
  }

  private String codeAt(SecretKey key, long step) {
    try {
      return generator.generateOneTimePasswordString(
          key, Instant.ofEpochSecond(step * settings.period().getSeconds()), Locale.ROOT);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("TOTP key rejected by the HMAC provider", e);
    }
  }

  private boolean wellFormed(String code) {
    if (code == null || code.length() != settings.digits()) {
      return false;
    }
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "TotpVerifier[" + settings + "]";
  }
}
