package dev.bulwark.authn.totp;

import java.util.Objects;

/**
 * A TOTP enrolment in progress: the new secret and the otpauth URI to show the user once (as a QR
 * code and as text), not yet stored. {@link TotpAuthenticator#confirmEnrollment} stores it once
 * the user proves the app works by typing a code.
 *
 * <p>Holds the secret: keep it only as long as the enrolment page needs it (for example in the
 * server-side session), never in logs. {@link #toString} is redacted.
 */
public final class TotpEnrollment {

  private final String accountId;
  private final String credentialId;
  private final OtpAuthUri uri;

  TotpEnrollment(String accountId, String credentialId, OtpAuthUri uri) {
    this.accountId = accountId;
    this.credentialId = credentialId;
    this.uri = Objects.requireNonNull(uri, "uri");
  }

  public String accountId() {
    return accountId;
  }

  public String credentialId() {
    return credentialId;
  }

  /** The enrolment URI (contains the secret). */
  public OtpAuthUri uri() {
    return uri;
  }

  /** The URI as a QR code PNG of {@code sizePixels} square. */
  public byte[] qrCodePng(int sizePixels) {
    return uri.qrCodePng(sizePixels);
  }

  @Override
  public String toString() {
    return "TotpEnrollment[account=" + accountId + ", credential=" + credentialId + ", secret=<redacted>]";
  }
}
