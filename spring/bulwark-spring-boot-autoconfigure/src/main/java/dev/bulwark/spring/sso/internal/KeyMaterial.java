package dev.bulwark.spring.sso.internal;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Reads key material given as PEM ({@code -----BEGIN PRIVATE KEY-----}, {@code -----BEGIN
 * CERTIFICATE-----}) or as bare Base64 of the DER. Errors never repeat the input: it may be a
 * private key.
 */
public final class KeyMaterial {

  private KeyMaterial() {}

  /** A PKCS#8 RSA or EC private key. */
  public static PrivateKey privateKey(String text) {
    byte[] der = der(text, "PRIVATE KEY");
    try {
      PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
      for (String alg : new String[] {"RSA", "EC"}) {
        try {
          return KeyFactory.getInstance(alg).generatePrivate(spec);
        } catch (GeneralSecurityException e) {
          // try the next algorithm
        }
      }
      throw new IllegalArgumentException("not a PKCS#8 RSA or EC private key");
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** An X.509 certificate. */
  public static X509Certificate certificate(String text) {
    byte[] der = der(text, "CERTIFICATE");
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("not an X.509 certificate");
    }
  }

  private static byte[] der(String text, String label) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty");
    }
    String s = text.strip();
    if (s.startsWith("-----BEGIN")) {
      String begin = "-----BEGIN " + label + "-----";
      String end = "-----END " + label + "-----";
      int b = s.indexOf(begin);
      int e = s.indexOf(end);
      if (b != 0 || e < 0) {
        throw new IllegalArgumentException("PEM block is not a " + label);
      }
      s = s.substring(begin.length(), e);
    }
    try {
      return Base64.getMimeDecoder().decode(s.replaceAll("\\s", "").getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not Base64");
    }
  }
}
