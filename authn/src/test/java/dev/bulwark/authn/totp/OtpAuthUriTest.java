package dev.bulwark.authn.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.security.SecureRandom;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtpAuthUriTest {

  private static final String SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"

  private final TotpSecret secret = TotpSecret.fromBase32(SECRET);

  @Test
  void build_followsKeyUriFormat_withEscapedLabel() {
    OtpAuthUri uri = new OtpAuthUri("ACME Co", "alice@example.com", secret, TotpSettings.DEFAULT);
    assertEquals("otpauth://totp/ACME%20Co:alice@example.com?secret=" + SECRET
        + "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30", uri.toUriString());
  }

  @Test
  void parse_roundTripsEverySetting() {
    for (TotpAlgorithm a : TotpAlgorithm.values()) {
      for (int digits = 6; digits <= 8; digits++) {
        TotpSettings s = TotpSettings.DEFAULT.withAlgorithm(a).withDigits(digits).withPeriod(Duration.ofSeconds(60));
        TotpSecret sec = TotpSecret.generate(a, new SecureRandom());
        OtpAuthUri uri = new OtpAuthUri("Bülwark & Co", "böb+test@example.com", sec, s);
        OtpAuthUri back = OtpAuthUri.parse(uri.toUriString(), TotpSettings.DEFAULT);
        assertEquals("Bülwark & Co", back.issuer());
        assertEquals("böb+test@example.com", back.accountName());
        assertEquals(s, back.settings());
        assertTrue(back.secret().sameAs(sec));
        assertEquals(uri.toUriString(), back.toUriString());
      }
    }
  }

  @Test
  void parse_acceptsCommonVariants() {
    OtpAuthUri u = OtpAuthUri.parse("otpauth://totp/Example:alice?secret=" + SECRET.toLowerCase(java.util.Locale.ROOT), TotpSettings.DEFAULT);
    assertEquals("Example", u.issuer());
    assertEquals(TotpSettings.DEFAULT, u.settings());
    assertEquals("alice", OtpAuthUri.parse("otpauth://totp/Example:%20alice?secret=" + SECRET + "&issuer=Example",
        TotpSettings.DEFAULT).accountName());
    assertEquals("Ex", OtpAuthUri.parse("otpauth://totp/alice?secret=" + SECRET + "&issuer=Ex", TotpSettings.DEFAULT).issuer());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "http://totp/Example:alice?secret=" + SECRET,
      "otpauth://hotp/Example:alice?secret=" + SECRET + "&counter=1",
      "otpauth://totp/Example:alice",
      "otpauth://totp/Example:alice?issuer=Example",
      "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP",
      "otpauth://totp/Example:alice?secret=" + SECRET + "=",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&secret=" + SECRET,
      "otpauth://totp/Example:alice?secret=" + SECRET + "&issuer=Other",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&algorithm=MD5",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&algorithm=sha1",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&digits=5",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&digits=9",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&digits=six",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&period=0",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&period=301",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&period=-30",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&unknown=1",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&issuer=",
      "otpauth://totp/Example:alice?secret=" + SECRET + "&",
      "otpauth://totp/Example:alice?secret=" + SECRET + "#frag",
      "otpauth://totp/Example:alice:x?secret=" + SECRET,
      "otpauth://totp/:alice?secret=" + SECRET,
      "otpauth://totp/Example:?secret=" + SECRET,
      "otpauth://totp/alice?secret=" + SECRET,
      "otpauth://totp/Exa%2mple:alice?secret=" + SECRET,
      "otpauth://totp/Example:alice%?secret=" + SECRET,
      "otpauth://totp/Example:al ice?secret=" + SECRET,
      "otpauth://totp/Example:al%0Aice?secret=" + SECRET,
      "otpauth://totp/Example:al%FFice?secret=" + SECRET,
      "otpauth://totp"
  })
  void parse_rejectsMalformed_withoutEchoingTheSecret(String uri) {
    InvalidOtpAuthUriException e = assertThrows(InvalidOtpAuthUriException.class, () -> OtpAuthUri.parse(uri, TotpSettings.DEFAULT));
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    assertTrue(e.getMessage().startsWith("invalid otpauth URI: "));
  }

  @Test
  void parse_rejectsNullAndOverlong() {
    assertThrows(InvalidOtpAuthUriException.class, () -> OtpAuthUri.parse(null, TotpSettings.DEFAULT));
    assertThrows(InvalidOtpAuthUriException.class,
        () -> OtpAuthUri.parse("otpauth://totp/E:a?secret=" + SECRET + "&issuer=" + "E".repeat(3000), TotpSettings.DEFAULT));
  }

  @Test
  void constructor_rejectsColonsAndBlanks() {
    assertThrows(IllegalArgumentException.class, () -> new OtpAuthUri("A:B", "alice", secret, TotpSettings.DEFAULT));
    assertThrows(IllegalArgumentException.class, () -> new OtpAuthUri("A", "al:ice", secret, TotpSettings.DEFAULT));
    assertThrows(IllegalArgumentException.class, () -> new OtpAuthUri(" ", "alice", secret, TotpSettings.DEFAULT));
    assertThrows(IllegalArgumentException.class, () -> new OtpAuthUri("A", null, secret, TotpSettings.DEFAULT));
  }

  @Test
  void toString_isRedacted() {
    OtpAuthUri uri = new OtpAuthUri("ACME", "alice", secret, TotpSettings.DEFAULT);
    assertFalse(uri.toString().contains(SECRET));
  }

  @Test
  void qrCode_isAPngThatDecodesToTheUri() throws Exception {
    OtpAuthUri uri = new OtpAuthUri("ACME Co", "alice@example.com", secret, TotpSettings.DEFAULT);
    byte[] png = uri.qrCodePng(256);
    assertEquals((byte) 0x89, png[0]);
    assertEquals('P', png[1]);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(256, image.getWidth());
    int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    RGBLuminanceSource source = new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels);
    String decoded = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source))).getText();
    assertEquals(uri.toUriString(), decoded);
    assertThrows(IllegalArgumentException.class, () -> uri.qrCodePng(10));
  }
}
