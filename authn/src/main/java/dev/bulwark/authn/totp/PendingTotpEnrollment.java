package dev.bulwark.authn.totp;

import java.time.Instant;
import java.util.Objects;

/**
 * A TOTP enrolment begun but not yet confirmed, as a
 * {@link dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore} keeps it between the request that
 * showed the QR code and the one that confirms it (possibly on another node): the account, the
 * credential id the seed will have once confirmed, the seed as the host's
 * {@link dev.bulwark.authn.totp.spi.SeedProtector} returned it for that credential id, the
 * settings and labels of the otpauth URI, when it was begun, when it expires and how many
 * confirmation attempts it has had.
 *
 * <p>Immutable. {@link #toString} omits the protected seed.
 */
public final class PendingTotpEnrollment {

  /** The longest account or credential id, and the longest issuer or account name, in characters. */
  public static final int MAX_ID_LENGTH = 255;

  /** The largest protected seed, in bytes (a 64-byte seed under any envelope fits). */
  public static final int MAX_PROTECTED_SEED_BYTES = 4096;

  private final String accountId;
  private final String credentialId;
  private final byte[] protectedSeed;
  private final TotpSettings settings;
  private final String issuer;
  private final String accountName;
  private final Instant createdAt;
  private final Instant expiresAt;
  private final int attempts;

  /**
   * @throws IllegalArgumentException if an id or label is empty or longer than
   *     {@value #MAX_ID_LENGTH} characters, the protected seed is empty or over
   *     {@value #MAX_PROTECTED_SEED_BYTES} bytes, {@code expiresAt} is not after {@code createdAt},
   *     or {@code attempts} is negative
   */
  public PendingTotpEnrollment(String accountId, String credentialId, byte[] protectedSeed, TotpSettings settings,
      String issuer, String accountName, Instant createdAt, Instant expiresAt, int attempts) {
    this.accountId = text(accountId, "accountId");
    this.credentialId = text(credentialId, "credentialId");
    this.protectedSeed = Objects.requireNonNull(protectedSeed, "protectedSeed").clone();
    if (this.protectedSeed.length == 0 || this.protectedSeed.length > MAX_PROTECTED_SEED_BYTES) {
      throw new IllegalArgumentException("protectedSeed must be 1-" + MAX_PROTECTED_SEED_BYTES + " bytes");
    }
    this.settings = Objects.requireNonNull(settings, "settings");
    this.issuer = text(issuer, "issuer");
    this.accountName = text(accountName, "accountName");
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    if (!expiresAt.isAfter(createdAt)) {
      throw new IllegalArgumentException("expiresAt must be after createdAt");
    }
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must not be negative");
    }
    this.attempts = attempts;
  }

  private static String text(String value, String what) {
    if (value == null || value.isEmpty() || value.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException(what + " must be 1-" + MAX_ID_LENGTH + " characters");
    }
    return value;
  }

  public String accountId() {
    return accountId;
  }

  /** The id the credential will have once confirmed; the seed is protected under it. */
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

  /** The issuer label of the otpauth URI. */
  public String issuer() {
    return issuer;
  }

  /** The account label of the otpauth URI. */
  public String accountName() {
    return accountName;
  }

  public Instant createdAt() {
    return createdAt;
  }

  /** From this instant on the enrolment can no longer be confirmed. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Confirmation attempts counted so far (the one being made included, once reserved). */
  public int attempts() {
    return attempts;
  }

  /** True when {@code now} is before {@link #expiresAt()}. */
  public boolean isLiveAt(Instant now) {
    return now.isBefore(expiresAt);
  }

  /** The same enrolment with {@code attempts} counted. */
  public PendingTotpEnrollment withAttempts(int attempts) {
    return new PendingTotpEnrollment(accountId, credentialId, protectedSeed, settings, issuer, accountName, createdAt,
        expiresAt, attempts);
  }

  /** Equal when every field is, the protected seed compared by content. */
  @Override
  public boolean equals(Object o) {
    return o instanceof PendingTotpEnrollment p && accountId.equals(p.accountId) && credentialId.equals(p.credentialId)
        && java.util.Arrays.equals(protectedSeed, p.protectedSeed) && settings.equals(p.settings)
        && issuer.equals(p.issuer) && accountName.equals(p.accountName) && createdAt.equals(p.createdAt)
        && expiresAt.equals(p.expiresAt) && attempts == p.attempts;
  }

  @Override
  public int hashCode() {
    return Objects.hash(accountId, credentialId, createdAt);
  }

  @Override
  public String toString() {
    return "PendingTotpEnrollment[account=" + accountId + ", credential=" + credentialId + ", " + settings
        + ", createdAt=" + createdAt + ", expiresAt=" + expiresAt + ", attempts=" + attempts + ", seed=<redacted>]";
  }
}
