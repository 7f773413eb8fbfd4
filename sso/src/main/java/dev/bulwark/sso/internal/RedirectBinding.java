package dev.bulwark.sso.internal;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoRefusedException;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The SAML HTTP-Redirect binding: raw DEFLATE, base64, URL encoding, and the detached signature
 * over the query string. Incoming signatures are checked over the query string exactly as it
 * arrived (the raw, still-encoded parameter values), never over a re-encoded copy.
 */
public final class RedirectBinding {

  public static final String RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
  private static final Map<String, String> JCA =
      Map.of(
          RSA_SHA256, "SHA256withRSA",
          "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", "SHA384withRSA",
          "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "SHA512withRSA");

  private RedirectBinding() {}

  /** Builds {@code SAMLRequest=...[&RelayState=...][&SigAlg=...&Signature=...]}. */
  public static String encode(String param, String xml, String relayState, PrivateKey key) {
    Deflater d = new Deflater(Deflater.DEFLATED, true);
    byte[] out;
    try {
      d.setInput(xml.getBytes(StandardCharsets.UTF_8));
      d.finish();
      ByteArrayOutputStream bo = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      while (!d.finished()) {
        bo.write(buf, 0, d.deflate(buf));
      }
      out = bo.toByteArray();
    } finally {
      d.end();
    }
    StringBuilder q = new StringBuilder();
    q.append(param).append('=').append(url(Base64.getEncoder().encodeToString(out)));
    if (!relayState.isEmpty()) {
      q.append("&RelayState=").append(url(relayState));
    }
    if (key != null) {
      q.append("&SigAlg=").append(url(RSA_SHA256));
      try {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(q.toString().getBytes(StandardCharsets.US_ASCII));
        q.append("&Signature=").append(url(Base64.getEncoder().encodeToString(s.sign())));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot sign redirect with the configured key", e);
      }
    }
    return q.toString();
  }

  private static String url(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /**
   * Verifies the signature of a received redirect-binding message over the raw query and returns
   * the inflated XML (at most {@code maxBytes} after inflation).
   */
  public static byte[] decodeSigned(String rawQuery, String param, List<PublicKey> keys, int maxBytes)
      throws SsoRefusedException {
    if (rawQuery.length() > maxBytes * 2) {
      throw new SsoRefusedException(RefusalReason.TOO_LARGE, "query too long");
    }
    Map<String, String> raw = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new SsoRefusedException(RefusalReason.MALFORMED, "malformed query");
      }
      if (raw.putIfAbsent(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
        throw new SsoRefusedException(RefusalReason.MALFORMED, "repeated query parameter");
      }
    }
    String msg = raw.get(param);
    String sigAlgRaw = raw.get("SigAlg");
    String sigRaw = raw.get("Signature");
    if (msg == null) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "no " + param);
    }
    if (sigAlgRaw == null || sigRaw == null) {
      throw new SsoRefusedException(RefusalReason.UNSIGNED, "redirect message is not signed");
    }
    String sigAlg;
    byte[] sig;
    try {
      sigAlg = URLDecoder.decode(sigAlgRaw, StandardCharsets.UTF_8);
      sig = Base64.getDecoder().decode(URLDecoder.decode(sigRaw, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "malformed signature parameter");
    }
    String jca = JCA.get(sigAlg);
    if (jca == null) {
      throw new SsoRefusedException(RefusalReason.ALGORITHM_FORBIDDEN, "signature algorithm not allowed");
    }
    String signed =
        param + "=" + msg
            + (raw.containsKey("RelayState") ? "&RelayState=" + raw.get("RelayState") : "")
            + "&SigAlg=" + sigAlgRaw;
    boolean ok = false;
    for (PublicKey k : keys) {
      try {
        Signature s = Signature.getInstance(jca);
        s.initVerify(k);
        s.update(signed.getBytes(StandardCharsets.UTF_8));
        if (s.verify(sig)) {
          ok = true;
          break;
        }
      } catch (GeneralSecurityException e) {
        // key of another type: try the next pinned key
      }
    }
    if (!ok) {
      throw new SsoRefusedException(RefusalReason.SIGNATURE_INVALID, "redirect signature does not verify");
    }
    byte[] deflated;
    try {
      deflated = Base64.getDecoder().decode(URLDecoder.decode(msg, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "not base64");
    }
    return inflate(deflated, maxBytes);
  }

  /**
   * The decoded {@code RelayState} of a raw query, or an empty string when it has none (call after
   * {@link #decodeSigned}, which refuses malformed and repeated parameters).
   */
  public static String relayState(String rawQuery) {
    for (String pair : rawQuery.split("&", -1)) {
      if (pair.startsWith("RelayState=")) {
        return URLDecoder.decode(pair.substring("RelayState=".length()), StandardCharsets.UTF_8);
      }
    }
    return "";
  }

  /** Inflates raw DEFLATE data, refusing output over {@code maxBytes} (a deflate bomb). */
  public static byte[] inflate(byte[] deflated, int maxBytes) throws SsoRefusedException {
    Inflater inf = new Inflater(true);
    try {
      inf.setInput(deflated);
      ByteArrayOutputStream bo = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      while (!inf.finished()) {
        int n = inf.inflate(buf);
        if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
          throw new SsoRefusedException(RefusalReason.MALFORMED, "truncated deflate data");
        }
        bo.write(buf, 0, n);
        if (bo.size() > maxBytes) {
          throw new SsoRefusedException(RefusalReason.TOO_LARGE, "inflated message too large");
        }
      }
      return bo.toByteArray();
    } catch (DataFormatException e) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "not deflate data");
    } finally {
      inf.end();
    }
  }
}
