package dev.bulwark.samples.notes;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal software passkey for the HTTP test (the browser IT uses Chromium's virtual
 * authenticator): one P-256 credential, "none" attestation, user present and verified. It builds
 * exactly the JSON the app's webauthn.js posts.
 */
final class SoftAuthenticator {

  private final String origin;
  private final KeyPair keys;
  private final byte[] credentialId = new byte[16];
  private String userHandle;
  private int counter;

  SoftAuthenticator(String origin) throws GeneralSecurityException {
    this.origin = origin;
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    this.keys = g.generateKeyPair();
    new SecureRandom().nextBytes(credentialId);
  }

  private static String b64u(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  private String clientData(String type, String startJson) {
    return "{\"type\":\"" + type + "\",\"challenge\":\"" + field(startJson, "challenge") + "\",\"origin\":\""
        + origin + "\",\"crossOrigin\":false}";
  }

  private static byte[] sha256(byte[] b) throws GeneralSecurityException {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  private static byte[] coord(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }

  private static void bytes(ByteArrayOutputStream out, byte[] b) {
    out.write(0x58);
    out.write(b.length);
    out.writeBytes(b);
  }

  private static void text(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    out.write(0x60 + b.length);
    out.writeBytes(b);
  }

  /** The registration JSON answering {@code startJson} (the app's /webauthn/register/start). */
  String register(String startJson) throws GeneralSecurityException {
    userHandle = field(startJson.substring(startJson.indexOf("\"user\"")), "id");
    ECPublicKey pub = (ECPublicKey) keys.getPublic();
    ByteArrayOutputStream cose = new ByteArrayOutputStream();
    cose.writeBytes(new byte[] {(byte) 0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21});
    bytes(cose, coord(pub.getW().getAffineX()));
    cose.write(0x22);
    bytes(cose, coord(pub.getW().getAffineY()));
    ByteArrayOutputStream auth = new ByteArrayOutputStream();
    auth.writeBytes(sha256("localhost".getBytes(StandardCharsets.US_ASCII)));
    auth.write(0x45); // user present, user verified, attested credential data
    auth.writeBytes(new byte[4]);
    auth.writeBytes(new byte[16]); // AAGUID
    auth.write(0);
    auth.write(credentialId.length);
    auth.writeBytes(credentialId);
    auth.writeBytes(cose.toByteArray());
    byte[] authData = auth.toByteArray();
    ByteArrayOutputStream att = new ByteArrayOutputStream();
    att.write(0xA3);
    text(att, "fmt");
    text(att, "none");
    text(att, "attStmt");
    att.write(0xA0);
    text(att, "authData");
    bytes(att, authData);
    byte[] cdj = clientData("webauthn.create", startJson).getBytes(StandardCharsets.UTF_8);
    return "{\"type\":\"public-key\",\"id\":\"" + b64u(credentialId) + "\",\"rawId\":\"" + b64u(credentialId)
        + "\",\"response\":{\"clientDataJSON\":\"" + b64u(cdj) + "\",\"attestationObject\":\"" + b64u(att.toByteArray())
        + "\",\"transports\":[\"internal\"]},\"clientExtensionResults\":{}}";
  }

  /** The assertion JSON answering {@code startJson} (/webauthn/login/start or /webauthn/stepup/start). */
  String assertion(String startJson) throws GeneralSecurityException {
    byte[] authData = ByteBuffer.allocate(37).put(sha256("localhost".getBytes(StandardCharsets.US_ASCII)))
        .put((byte) 0x05).putInt(++counter).array();
    byte[] cdj = clientData("webauthn.get", startJson).getBytes(StandardCharsets.UTF_8);
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(keys.getPrivate());
    s.update(authData);
    s.update(sha256(cdj));
    return "{\"type\":\"public-key\",\"id\":\"" + b64u(credentialId) + "\",\"rawId\":\"" + b64u(credentialId)
        + "\",\"response\":{\"clientDataJSON\":\"" + b64u(cdj) + "\",\"authenticatorData\":\"" + b64u(authData)
        + "\",\"signature\":\"" + b64u(s.sign()) + "\",\"userHandle\":\"" + userHandle + "\"},\"clientExtensionResults\":{}}";
  }
}
