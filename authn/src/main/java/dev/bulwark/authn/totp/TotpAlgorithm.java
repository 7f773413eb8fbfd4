package dev.bulwark.authn.totp;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;

/** The HMAC functions RFC 6238 allows, with the secret length that matches each output size. */
public enum TotpAlgorithm {
  SHA1(TimeBasedOneTimePasswordGenerator.TOTP_ALGORITHM_HMAC_SHA1, "SHA1", 20),
  SHA256(TimeBasedOneTimePasswordGenerator.TOTP_ALGORITHM_HMAC_SHA256, "SHA256", 32),
  SHA512(TimeBasedOneTimePasswordGenerator.TOTP_ALGORITHM_HMAC_SHA512, "SHA512", 64);

  private final String jcaName;
  private final String uriName;
  private final int secretLengthBytes;

  TotpAlgorithm(String jcaName, String uriName, int secretLengthBytes) {
    this.jcaName = jcaName;
    this.uriName = uriName;
    this.secretLengthBytes = secretLengthBytes;
  }

  /** The JCA {@code Mac} name, e.g. {@code HmacSHA1}. */
  public String jcaName() {
    return jcaName;
  }

  /** The name in an otpauth URI's {@code algorithm} parameter, e.g. {@code SHA1}. */
  public String uriName() {
    return uriName;
  }

  /** The secret length generated for this algorithm: the HMAC output size (20, 32 or 64 bytes). */
  public int secretLengthBytes() {
    return secretLengthBytes;
  }

  /** The algorithm with this otpauth name (exact, upper case), if any. */
  static TotpAlgorithm fromUriName(String name) {
    for (TotpAlgorithm a : values()) {
      if (a.uriName.equals(name)) {
        return a;
      }
    }
    return null;
  }
}
