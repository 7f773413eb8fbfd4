package dev.bulwark.testing.webauthn;

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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A virtual FIDO2 authenticator for tests (Bulwark's own, hosts' and the benchmarks'), plus the
 * browser's part of a ceremony: real P-256 key pairs,
 * authenticator data, CBOR attestation objects ("none" or "packed" self attestation),
 * clientDataJSON and ES256 assertion signatures, emitted as the JSON that
 * {@code PublicKeyCredential.toJSON()} produces in a browser.
 *
 * <p>Every knob a test needs to produce bad input is exposed: origin, RP id, flags, counter,
 * challenge.
 *
 * <p>Dependency-free like the rest of bulwark-testing: the CBOR it writes and the JSON it reads
 * are the few constructs WebAuthn needs, written out here.
 *
 * <p>Not thread-safe: use one per thread. Never use it outside tests: its keys live in memory.
 */
public final class VirtualAuthenticator {

  public static final int UP = 0x01;
  public static final int UV = 0x04;
  public static final int BE = 0x08;
  public static final int BS = 0x10;
  public static final int AT = 0x40;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  /** A credential held by this authenticator. */
  public static final class Credential {
    public final byte[] id;
    public final KeyPair keyPair;
    public final byte[] userHandle;
    public final String rpId;
    public long counter;

    Credential(byte[] id, KeyPair keyPair, byte[] userHandle, String rpId) {
      this.id = id;
      this.keyPair = keyPair;
      this.userHandle = userHandle;
      this.rpId = rpId;
    }

    public String idBase64Url() {
      return B64.encodeToString(id);
    }
  }

  private final String origin;
  private final List<Credential> credentials = new ArrayList<>();
  public boolean userVerification = true;
  public boolean backupEligible = false;
  /** Synced passkeys: the counter stays 0 forever. */
  public boolean zeroCounter = false;
  public String attestationFormat = "none";

  public VirtualAuthenticator(String origin) {
    this.origin = origin;
  }

  public List<Credential> credentials() {
    return credentials;
  }

  public int flags(boolean attested) {
    int f = UP;
    if (userVerification) {
      f |= UV;
    }
    if (backupEligible) {
      f |= BE | BS;
    }
    if (attested) {
      f |= AT;
    }
    return f;
  }

  /** Answers a {@code navigator.credentials.create()} options JSON with a new credential. */
  public String register(String optionsJson) {
    Map<?, ?> pk = object(parse(optionsJson).get("publicKey"));
    byte[] challenge = B64D.decode(text(pk.get("challenge")));
    String rpId = text(object(pk.get("rp")).get("id"));
    byte[] userHandle = B64D.decode(text(object(pk.get("user")).get("id")));
    Credential c = newCredential(userHandle, rpId);
    return registration(c, challenge, origin, rpId, flags(true), "webauthn.create");
  }

  public Credential newCredential(byte[] userHandle, String rpId) {
    byte[] id = new byte[32];
    RANDOM.nextBytes(id);
    Credential c = new Credential(id, newKeyPair(), userHandle, rpId);
    credentials.add(c);
    return c;
  }

  /** A registration response with every field under the caller's control. */
  public String registration(Credential c, byte[] challenge, String origin, String rpIdForHash, int flags, String type) {
    byte[] clientData = clientData(type, challenge, origin);
    byte[] authData = authData(rpIdForHash, flags, c.counter, attestedCredential(c));
    Cbor att = new Cbor().map(3).text("fmt").text(attestationFormat).text("attStmt");
    if ("packed".equals(attestationFormat)) {
      byte[] sig = sign(c, concat(authData, sha256(clientData)));
      att.map(2).text("alg").negative(-7).text("sig").bytes(sig);
    } else {
      att.map(0);
    }
    att.text("authData").bytes(authData);
    return "{\"id\":\"" + c.idBase64Url() + "\",\"rawId\":\"" + c.idBase64Url() + "\",\"type\":\"public-key\","
        + "\"response\":{\"clientDataJSON\":\"" + B64.encodeToString(clientData) + "\",\"attestationObject\":\""
        + B64.encodeToString(att.toBytes()) + "\",\"transports\":[\"internal\"]},\"clientExtensionResults\":{}}";
  }

  /**
   * Answers a {@code navigator.credentials.get()} options JSON with the first credential that the
   * options allow (or any credential for the RP when the list is empty: a passkey).
   */
  public String authenticate(String optionsJson) {
    Map<?, ?> pk = object(parse(optionsJson).get("publicKey"));
    byte[] challenge = B64D.decode(text(pk.get("challenge")));
    String rpId = text(pk.get("rpId"));
    List<String> allowed = new ArrayList<>();
    Object allow = pk.get("allowCredentials");
    if (allow != null) {
      for (Object n : (List<?>) allow) {
        allowed.add(text(object(n).get("id")));
      }
    }
    for (Credential c : credentials) {
      if (c.rpId.equals(rpId) && (allowed.isEmpty() || allowed.contains(c.idBase64Url()))) {
        if (!zeroCounter) {
          c.counter++;
        }
        return assertion(c, challenge, origin, rpId, flags(false), c.counter, "webauthn.get");
      }
    }
    throw new IllegalStateException("no credential for " + rpId);
  }

  /** An assertion response with every field under the caller's control. */
  public String assertion(Credential c, byte[] challenge, String origin, String rpIdForHash, int flags, long counter, String type) {
    byte[] clientData = clientData(type, challenge, origin);
    byte[] authData = authData(rpIdForHash, flags, counter, new byte[0]);
    byte[] sig = sign(c, concat(authData, sha256(clientData)));
    return assertionJson(c, clientData, authData, sig);
  }

  public static String assertionJson(Credential c, byte[] clientData, byte[] authData, byte[] sig) {
    return "{\"id\":\"" + c.idBase64Url() + "\",\"rawId\":\"" + c.idBase64Url() + "\",\"type\":\"public-key\","
        + "\"response\":{\"clientDataJSON\":\"" + B64.encodeToString(clientData) + "\",\"authenticatorData\":\""
        + B64.encodeToString(authData) + "\",\"signature\":\"" + B64.encodeToString(sig) + "\",\"userHandle\":\""
        + B64.encodeToString(c.userHandle) + "\"},\"clientExtensionResults\":{}}";
  }

  public static byte[] challengeOf(String optionsJson) {
    return B64D.decode(text(object(parse(optionsJson).get("publicKey")).get("challenge")));
  }

  public static byte[] clientData(String type, byte[] challenge, String origin) {
    return ("{\"type\":\"" + type + "\",\"challenge\":\"" + B64.encodeToString(challenge) + "\",\"origin\":\""
        + origin + "\",\"crossOrigin\":false}").getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] authData(String rpId, int flags, long counter, byte[] attested) {
    ByteBuffer b = ByteBuffer.allocate(37 + attested.length);
    b.put(sha256(rpId.getBytes(StandardCharsets.UTF_8)));
    b.put((byte) flags);
    b.putInt((int) counter);
    b.put(attested);
    return b.array();
  }

  private static byte[] attestedCredential(Credential c) {
    ECPublicKey pub = (ECPublicKey) c.keyPair.getPublic();
    byte[] cose = new Cbor().map(5)
        .unsigned(1).unsigned(2)
        .unsigned(3).negative(-7)
        .negative(-1).unsigned(1)
        .negative(-2).bytes(coordinate(pub.getW().getAffineX()))
        .negative(-3).bytes(coordinate(pub.getW().getAffineY()))
        .toBytes();
    ByteBuffer b = ByteBuffer.allocate(16 + 2 + c.id.length + cose.length);
    b.put(new byte[16]); // AAGUID: all zero, as software and privacy-preserving authenticators send
    b.putShort((short) c.id.length);
    b.put(c.id);
    b.put(cose);
    return b.array();
  }

  private static byte[] coordinate(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int len = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - len, out, 32 - len, len);
    return out;
  }

  public static byte[] sign(Credential c, byte[] data) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(c.keyPair.getPrivate());
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static Map<?, ?> parse(String json) {
    JsonReader r = new JsonReader(json);
    Object v = r.value();
    r.end();
    return object(v);
  }

  private static Map<?, ?> object(Object v) {
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("options JSON: expected an object");
    }
    return m;
  }

  private static String text(Object v) {
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException("options JSON: expected a string");
    }
    return s;
  }

  /**
   * Just enough JSON (RFC 8259) to read the options a relying party sends: objects, arrays,
   * strings with escapes, numbers, booleans and null. Objects become maps, arrays lists, numbers
   * {@link java.math.BigDecimal}s.
   */
  private static final class JsonReader {
    private final String s;
    private int i;

    JsonReader(String s) {
      this.s = s;
    }

    Object value() {
      skip();
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(i);
      switch (c) {
        case '{': {
          i++;
          Map<String, Object> m = new LinkedHashMap<>();
          skip();
          if (peek() == '}') {
            i++;
            return m;
          }
          while (true) {
            skip();
            String k = string();
            skip();
            expect(':');
            m.put(k, value());
            skip();
            if (peek() == ',') {
              i++;
            } else {
              expect('}');
              return m;
            }
          }
        }
        case '[': {
          i++;
          List<Object> l = new ArrayList<>();
          skip();
          if (peek() == ']') {
            i++;
            return l;
          }
          while (true) {
            l.add(value());
            skip();
            if (peek() == ',') {
              i++;
            } else {
              expect(']');
              return l;
            }
          }
        }
        case '"':
          return string();
        default: {
          int start = i;
          while (i < s.length() && "{}[],: \t\r\n\"".indexOf(s.charAt(i)) < 0) {
            i++;
          }
          String word = s.substring(start, i);
          switch (word) {
            case "true":
              return Boolean.TRUE;
            case "false":
              return Boolean.FALSE;
            case "null":
              return null;
            default:
              if (!word.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                throw error("not a JSON value: " + word);
              }
              return new java.math.BigDecimal(word);
          }
        }
      }
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> b.append(e);
        }
      }
    }

    void end() {
      skip();
      if (i != s.length()) {
        throw error("trailing characters");
      }
    }

    private char peek() {
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(i);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      i++;
    }

    private void skip() {
      while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("options JSON at " + i + ": " + what);
    }
  }

  /** Just enough CBOR (RFC 8949) for attestation objects and COSE keys, in canonical form. */
  public static final class Cbor {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Cbor head(int major, long value) {
      int m = major << 5;
      if (value < 24) {
        out.write(m | (int) value);
      } else if (value < 0x100) {
        out.write(m | 24);
        out.write((int) value);
      } else if (value < 0x10000) {
        out.write(m | 25);
        out.write((int) (value >> 8));
        out.write((int) value & 0xff);
      } else {
        out.write(m | 26);
        for (int shift = 24; shift >= 0; shift -= 8) {
          out.write((int) (value >> shift) & 0xff);
        }
      }
      return this;
    }

    public Cbor unsigned(long v) {
      return head(0, v);
    }

    public Cbor negative(long v) {
      return head(1, -1 - v);
    }

    public Cbor bytes(byte[] b) {
      head(2, b.length);
      out.writeBytes(b);
      return this;
    }

    public Cbor text(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      head(3, b.length);
      out.writeBytes(b);
      return this;
    }

    public Cbor map(int entries) {
      return head(5, entries);
    }

    public byte[] toBytes() {
      return out.toByteArray();
    }
  }
}
