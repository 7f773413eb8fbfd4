package dev.bulwark.authn.totp;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * A TOTP enrolment URI in the Key URI Format that authenticator apps read from a QR code:
 * {@code otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30}.
 *
 * <p>{@link #parse} is strict: only {@code otpauth://totp/}, a non-empty account, an issuer
 * without a colon, a label prefix equal to the {@code issuer} parameter when both are present, a
 * Base32 secret of at least 160 bits, {@code algorithm} SHA1/SHA256/SHA512, {@code digits} 6-8,
 * {@code period} 1-300; no duplicate, unknown or empty parameters, no malformed percent escapes.
 * Every refusal is an {@link InvalidOtpAuthUriException} whose message never contains the secret.
 *
 * <p>Security considerations: the URI contains the secret. {@link #toString} is redacted; the
 * full text comes only from {@link #toUriString()} and {@link #qrCodePng(int)}, which are meant
 * for the one enrolment page that shows it, never for logs.
 */
public final class OtpAuthUri {

  private static final int MAX_LENGTH = 2048;

  private final String issuer;
  private final String accountName;
  private final TotpSecret secret;
  private final TotpSettings settings;

  /**
   * @param issuer the service name shown in the app; non-empty, no colon
   * @param accountName the user's name shown in the app; non-empty, no colon
   * @param settings algorithm, digits and period are written into the URI (the window is not)
   */
  public OtpAuthUri(String issuer, String accountName, TotpSecret secret, TotpSettings settings) {
    this.issuer = checkName(issuer, "issuer");
    this.accountName = checkName(accountName, "accountName");
    this.secret = Objects.requireNonNull(secret, "secret");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  private static String checkName(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be null or blank");
    }
    if (value.indexOf(':') >= 0) {
      throw new IllegalArgumentException(what + " must not contain ':'");
    }
    if (value.length() > 256 || value.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(what + " must be at most 256 characters without control characters");
    }
    return value;
  }

  public String issuer() {
    return issuer;
  }

  public String accountName() {
    return accountName;
  }

  public TotpSecret secret() {
    return secret;
  }

  public TotpSettings settings() {
    return settings;
  }

  /** The URI text, including the secret. */
  public String toUriString() {
    return "otpauth://totp/" + encode(issuer) + ":" + encode(accountName)
        + "?secret=" + secret.toBase32()
        + "&issuer=" + encode(issuer)
        + "&algorithm=" + settings.algorithm().uriName()
        + "&digits=" + settings.digits()
        + "&period=" + settings.period().getSeconds();
  }

  /**
   * The URI as a QR code PNG, {@code sizePixels} square (error correction M, quiet zone of two
   * modules), ready for an {@code <img src="data:image/png;base64,...">}.
   *
   * @param sizePixels 64..2048
   */
  public byte[] qrCodePng(int sizePixels) {
    if (sizePixels < 64 || sizePixels > 2048) {
      throw new IllegalArgumentException("sizePixels must be in 64..2048");
    }
    Map<EncodeHintType, Object> hints = new HashMap<>();
    hints.put(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M);
    hints.put(EncodeHintType.MARGIN, 2);
    hints.put(EncodeHintType.CHARACTER_SET, StandardCharsets.UTF_8.name());
    BitMatrix matrix;
    try {
      matrix = new QRCodeWriter().encode(toUriString(), BarcodeFormat.QR_CODE, sizePixels, sizePixels, hints);
    } catch (WriterException e) {
      throw new IllegalStateException("QR code could not be encoded (URI too long?)", e);
    }
    BufferedImage image = new BufferedImage(matrix.getWidth(), matrix.getHeight(), BufferedImage.TYPE_BYTE_BINARY);
    for (int y = 0; y < matrix.getHeight(); y++) {
      for (int x = 0; x < matrix.getWidth(); x++) {
        image.setRGB(x, y, matrix.get(x, y) ? 0xFF000000 : 0xFFFFFFFF);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Parses an {@code otpauth://totp/} URI strictly. A missing {@code algorithm}, {@code digits}
   * or {@code period} takes the default (SHA1, 6, 30); {@code window} is taken from
   * {@code defaults}.
   *
   * @throws InvalidOtpAuthUriException for any deviation from the format
   */
  public static OtpAuthUri parse(String uri, TotpSettings defaults) {
    Objects.requireNonNull(defaults, "defaults");
    if (uri == null || uri.isEmpty()) {
      throw bad("URI is null or empty");
    }
    if (uri.length() > MAX_LENGTH) {
      throw bad("URI is longer than " + MAX_LENGTH + " characters");
    }
    String prefix = "otpauth://";
    if (!uri.regionMatches(true, 0, prefix, 0, prefix.length())) {
      throw bad("URI scheme is not otpauth://");
    }
    String rest = uri.substring(prefix.length());
    int slash = rest.indexOf('/');
    if (slash < 0) {
      throw bad("URI has no type and label");
    }
    String type = rest.substring(0, slash);
    if (type.equalsIgnoreCase("hotp")) {
      throw bad("hotp URIs are not supported; only totp");
    }
    if (!type.equalsIgnoreCase("totp")) {
      throw bad("URI type must be totp");
    }
    int q = rest.indexOf('?', slash);
    if (q < 0) {
      throw bad("URI has no parameters (secret is required)");
    }
    if (rest.indexOf('#') >= 0) {
      throw bad("URI must not have a fragment");
    }
    String label = decode(rest.substring(slash + 1, q), "label");
    String labelIssuer = null;
    String account = label;
    int colon = label.indexOf(':');
    if (colon >= 0) {
      labelIssuer = label.substring(0, colon);
      account = label.substring(colon + 1);
      if (account.indexOf(':') >= 0) {
        throw bad("label has more than one ':'");
      }
      // Some apps write "Issuer: account"; the spec allows spaces after the colon.
      account = account.stripLeading();
      if (labelIssuer.isEmpty()) {
        throw bad("label issuer prefix is empty");
      }
    }
    if (account.isEmpty()) {
      throw bad("label has no account name");
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : rest.substring(q + 1).split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw bad("parameter without a name or value");
      }
      String name = pair.substring(0, eq);
      String value = decode(pair.substring(eq + 1), "parameter " + name);
      if (value.isEmpty()) {
        throw bad("parameter '" + name + "' is empty");
      }
      if (!name.matches("secret|issuer|algorithm|digits|period")) {
        throw bad("unknown parameter '" + (name.length() > 20 ? name.substring(0, 20) + "..." : name) + "'");
      }
      if (params.put(name, value) != null) {
        throw bad("duplicate parameter '" + name + "'");
      }
    }
    String secretText = params.get("secret");
    if (secretText == null) {
      throw bad("secret parameter is missing");
    }
    TotpSecret secret;
    try {
      secret = TotpSecret.fromBase32(secretText);
    } catch (IllegalArgumentException e) {
      throw bad("secret is invalid: " + e.getMessage());
    }
    String issuer = params.get("issuer");
    if (issuer != null && labelIssuer != null && !issuer.equals(labelIssuer)) {
      throw bad("issuer parameter does not match the label's issuer prefix");
    }
    if (issuer == null) {
      issuer = labelIssuer;
    }
    if (issuer == null) {
      throw bad("URI names no issuer (neither a label prefix nor an issuer parameter)");
    }
    TotpAlgorithm algorithm = TotpAlgorithm.SHA1;
    if (params.containsKey("algorithm")) {
      algorithm = TotpAlgorithm.fromUriName(params.get("algorithm"));
      if (algorithm == null) {
        throw bad("algorithm must be SHA1, SHA256 or SHA512");
      }
    }
    int digits = smallInt(params.getOrDefault("digits", "6"), "digits");
    int period = smallInt(params.getOrDefault("period", "30"), "period");
    TotpSettings settings;
    try {
      settings = new TotpSettings(algorithm, digits, Duration.ofSeconds(period), defaults.window());
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
    try {
      return new OtpAuthUri(issuer, account, secret, settings);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  private static int smallInt(String text, String name) {
    if (!text.matches("[1-9][0-9]{0,3}")) {
      throw bad(name + " must be a positive decimal number");
    }
    return Integer.parseInt(text);
  }

  private static InvalidOtpAuthUriException bad(String message) {
    return new InvalidOtpAuthUriException("invalid otpauth URI: " + message);
  }

  private static String encode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  /** Strict percent-decoding: {@code +} stays {@code +}, bad escapes and bad UTF-8 are refused. */
  private static String decode(String s, String what) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw bad(what + " has a truncated percent escape");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw bad(what + " has a malformed percent escape");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c > 0x20 && c < 0x7f && c != '?' && c != '&' && c != '#' && c != '=') {
        out.write(c);
      } else if (c == '=' && !what.equals("label")) {
        out.write(c);
      } else {
        throw bad(what + " contains a character that must be percent-encoded");
      }
    }
    try {
      String decoded = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(out.toByteArray()))
          .toString();
      if (decoded.chars().anyMatch(Character::isISOControl)) {
        throw bad(what + " contains control characters");
      }
      return decoded;
    } catch (java.nio.charset.CharacterCodingException e) {
      throw bad(what + " is not valid UTF-8");
    }
  }

  @Override
  public String toString() {
    return "OtpAuthUri[issuer=" + issuer + ", account=" + accountName + ", " + settings + ", secret=<redacted>]";
  }
}
