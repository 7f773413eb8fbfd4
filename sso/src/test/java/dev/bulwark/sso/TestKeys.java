package dev.bulwark.sso;

import java.io.InputStream;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** Fixed RSA-2048 test keys with self-signed certificates (made with keytool; test use only). */
public final class TestKeys {
  public static final PrivateKey IDP_KEY;
  public static final X509Certificate IDP_CERT;
  public static final PrivateKey SP_KEY;
  public static final X509Certificate SP_CERT;

  static {
    try (InputStream in = TestKeys.class.getResourceAsStream("test-keys.p12")) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      char[] pw = "changeit".toCharArray();
      ks.load(in, pw);
      IDP_KEY = (PrivateKey) ks.getKey("idp", pw);
      IDP_CERT = (X509Certificate) ks.getCertificate("idp");
      SP_KEY = (PrivateKey) ks.getKey("sp", pw);
      SP_CERT = (X509Certificate) ks.getCertificate("sp");
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private TestKeys() {}
}
