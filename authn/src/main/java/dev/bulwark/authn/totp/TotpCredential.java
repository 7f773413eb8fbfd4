package dev.bulwark.authn.totp;

import java.time.Instant;
import java.util.Objects;

/**
 * An enrolled TOTP authenticator as stored: the account it belongs to, a random credential id
 * (the replay-protection key), the seed as the host's {@link dev.bulwark.authn.totp.spi.SeedProtector}
 * returned it, and the settings the app was enrolled with.
 *
 * <p>Immutable. {@link #toString} omits the protected seed, which is plaintext when the host uses
 * {@code SeedProtector.PLAINTEXT}.
 */
public final class TotpCredential {

  private final String accountId;
  private final String credentialId;
  private final byte[] protectedSeed;
  private final TotpSettings settings;
  private final Instant enrolledAt;

  public TotpCredential(String accountId, String credentialId, byte[] protectedSeed, TotpSettings settings, Instant enrolledAt) {
    if (accountId == null || accountId.isEmpty() || credentialId == null || credentialId.isEmpty()) {
      throw new IllegalArgumentException("accountId and credentialId must not be null or empty");
    }
    this.accountId = accountId;
    this.credentialId = credentialId;
    this.protectedSeed = Objects.requireNonNull(protectedSeed, "protectedSeed").clone();
    if (protectedSeed.length == 0) {
      throw new IllegalArgumentException("protectedSeed must not be empty");
    }
    this.settings = Objects.requireNonNull(settings, "settings");
    this.enrolledAt = Objects.requireNonNull(enrolledAt, "enrolledAt");
  }

  public String accountId() {
    return accountId;
  }

  public String credentialId() {
    return credentialId;
  }

  /** A copy of the protected (normally encrypted) seed. */
  public byte[] protectedSeed() {
    return protectedSeed.clone();
  }

  public TotpSettings settings() {
    return settings;
  }

  public Instant enrolledAt() {
    return enrolledAt;
  }

  @Override
  public String toString() {
    return "TotpCredential[account=" + accountId + ", credential=" + credentialId + ", " + settings
        + ", enrolledAt=" + enrolledAt + ", seed=<redacted>]";
  }
}
