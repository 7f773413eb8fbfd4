package dev.bulwark.testkit.sso;

import dev.bulwark.sso.saml.IdpMetadata;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.xml.security.algorithms.MessageDigestAlgorithm;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.encryption.EncryptedData;
import org.apache.xml.security.encryption.EncryptedKey;
import org.apache.xml.security.encryption.XMLCipher;
import org.apache.xml.security.keys.KeyInfo;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transforms;
import org.apache.xml.security.utils.XMLUtils;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A SAML identity provider for tests: it makes its own RSA-2048 key when created, builds responses
 * from a {@link Spec}, and signs or encrypts them the way real identity providers do (or, for the
 * attack corpus, the way they must not). Not for production.
 */
public final class TestIdp {

  public static final String ENTITY_ID = "https://idp.test.bulwark.dev/saml";
  public static final URI SSO = URI.create("https://idp.test.bulwark.dev/saml/sso");
  public static final URI SLO = URI.create("https://idp.test.bulwark.dev/saml/slo");
  static final String SAML = "urn:oasis:names:tc:SAML:2.0:assertion";
  static final String SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol";
  static final String DS = "http://www.w3.org/2000/09/xmldsig#";
  private static final SecureRandom RANDOM = new SecureRandom();

  static {
    org.apache.xml.security.Init.init();
  }

  private final KeyPair key;

  public TestIdp() {
    this.key = rsa();
  }

  /** A fresh RSA-2048 key pair. */
  public static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public KeyPair key() {
    return key;
  }

  /** Metadata pinning this IdP's key. */
  public IdpMetadata metadata() {
    return IdpMetadata.of(ENTITY_ID, List.of(key.getPublic()), SSO, Optional.of(SLO), false);
  }

  /** A fresh unique ID. */
  public static String newId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return "_" + HexFormat.of().formatHex(b);
  }

  /** Everything a response says; each field may be changed before {@link #build}. */
  public static final class Spec {
    public String responseId = newId();
    public String assertionId = newId();
    public String responseIssuer = ENTITY_ID;
    public String assertionIssuer = ENTITY_ID;
    public String destination;
    public String inResponseTo;
    public String confirmationInResponseTo;
    public String recipient;
    public String audience;
    public String nameId = "alice@example.com";
    public String status = "urn:oasis:names:tc:SAML:2.0:status:Success";
    public Instant issueInstant;
    public Instant notBefore;
    public Instant notOnOrAfter;
    public boolean bearer = true;
    public String authnContext = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    public String sessionIndex = "s-1";
    public Map<String, List<String>> attributes = new LinkedHashMap<>(Map.of("email", List.of("alice@example.com")));

    Spec(String spEntityId, String acs, String requestId, Instant now) {
      destination = acs;
      recipient = acs;
      audience = spEntityId;
      inResponseTo = requestId;
      confirmationInResponseTo = requestId;
      issueInstant = now;
      notBefore = now.minusSeconds(30);
      notOnOrAfter = now.plusSeconds(300);
    }
  }

  /** A spec of a genuine response to {@code requestId}. */
  public Spec spec(String spEntityId, URI acs, String requestId, Instant now) {
    return new Spec(spEntityId, acs.toString(), requestId, now);
  }

  /** Builds the unsigned response document. */
  public static Document build(Spec s) {
    StringBuilder attrs = new StringBuilder();
    s.attributes.forEach((k, vs) -> {
      attrs.append("<saml:Attribute Name=\"").append(k).append("\">");
      for (String v : vs) {
        attrs.append("<saml:AttributeValue>").append(v).append("</saml:AttributeValue>");
      }
      attrs.append("</saml:Attribute>");
    });
    String xml =
        "<samlp:Response xmlns:samlp=\"" + SAMLP + "\" xmlns:saml=\"" + SAML + "\" ID=\"" + s.responseId
            + "\" Version=\"2.0\" IssueInstant=\"" + s.issueInstant + "\""
            + (s.destination == null ? "" : " Destination=\"" + s.destination + "\"")
            + (s.inResponseTo == null ? "" : " InResponseTo=\"" + s.inResponseTo + "\"")
            + "><saml:Issuer>" + s.responseIssuer + "</saml:Issuer>"
            + "<samlp:Status><samlp:StatusCode Value=\"" + s.status + "\"/></samlp:Status>"
            + "<saml:Assertion ID=\"" + s.assertionId + "\" Version=\"2.0\" IssueInstant=\"" + s.issueInstant
            + "\"><saml:Issuer>" + s.assertionIssuer + "</saml:Issuer>"
            + "<saml:Subject><saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">"
            + s.nameId + "</saml:NameID>"
            + (s.bearer
                ? "<saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">"
                    + "<saml:SubjectConfirmationData Recipient=\"" + s.recipient + "\" NotOnOrAfter=\""
                    + s.notOnOrAfter + "\""
                    + (s.confirmationInResponseTo == null ? "" : " InResponseTo=\"" + s.confirmationInResponseTo + "\"")
                    + "/></saml:SubjectConfirmation>"
                : "")
            + "</saml:Subject>"
            + "<saml:Conditions NotBefore=\"" + s.notBefore + "\" NotOnOrAfter=\"" + s.notOnOrAfter + "\">"
            + "<saml:AudienceRestriction><saml:Audience>" + s.audience + "</saml:Audience></saml:AudienceRestriction>"
            + "</saml:Conditions>"
            + "<saml:AuthnStatement AuthnInstant=\"" + s.issueInstant + "\" SessionIndex=\"" + s.sessionIndex + "\">"
            + "<saml:AuthnContext><saml:AuthnContextClassRef>" + s.authnContext
            + "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            + "<saml:AttributeStatement>" + attrs + "</saml:AttributeStatement>"
            + "</saml:Assertion></samlp:Response>";
    return parse(xml.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses without hardening: only for documents this class built. */
  public static Document parse(byte[] xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** How to sign: the defaults are what a well-behaved IdP does. */
  public static final class Signing {
    public String signatureAlgorithm = XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256;
    public String digestAlgorithm = MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA256;
    public String canonicalization = Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS;
    public List<String> transforms =
        new ArrayList<>(List.of(Transforms.TRANSFORM_ENVELOPED_SIGNATURE, Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS));
    /** Null: {@code #} plus the signed element's ID. */
    public String referenceUri;
    public List<String> extraReferences = new ArrayList<>();
    public Optional<PublicKey> keyInfo = Optional.empty();
    public java.security.Key signingKey;
  }

  /** Default signing with this IdP's key. */
  public Signing signing() {
    Signing s = new Signing();
    s.signingKey = key.getPrivate();
    return s;
  }

  /** Signs {@code target} (its signature goes after its Issuer) and returns the signature element. */
  public static Element sign(Element target, Signing how) {
    try {
      Document doc = target.getOwnerDocument();
      target.setIdAttributeNS(null, "ID", true);
      XMLSignature sig = new XMLSignature(doc, "", how.signatureAlgorithm, how.canonicalization);
      Element issuer = firstElement(target);
      target.insertBefore(sig.getElement(), issuer == null ? target.getFirstChild() : issuer.getNextSibling());
      Transforms t = new Transforms(doc);
      for (String tr : how.transforms) {
        t.addTransform(tr);
      }
      String uri = how.referenceUri != null ? how.referenceUri : "#" + target.getAttributeNS(null, "ID");
      sig.addDocument(uri, t, how.digestAlgorithm);
      for (String extra : how.extraReferences) {
        Transforms t2 = new Transforms(doc);
        t2.addTransform(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS);
        sig.addDocument(extra, t2, how.digestAlgorithm);
      }
      if (how.keyInfo.isPresent()) {
        sig.addKeyInfo(how.keyInfo.get());
      }
      if (how.signingKey instanceof PrivateKey pk) {
        sig.sign(pk);
      } else {
        sig.sign(how.signingKey);
      }
      return sig.getElement();
    } catch (Exception e) {
      throw new IllegalStateException("test signing failed", e);
    }
  }

  /** Replaces the response's assertion with an EncryptedAssertion (RSA-OAEP, AES-256-GCM). */
  public static void encryptAssertion(Document doc, PublicKey recipient) {
    try {
      Element assertion = assertion(doc);
      KeyGenerator kg = KeyGenerator.getInstance("AES");
      kg.init(256);
      SecretKey cek = kg.generateKey();
      XMLCipher keyCipher = XMLCipher.getInstance(XMLCipher.RSA_OAEP);
      keyCipher.init(XMLCipher.WRAP_MODE, recipient);
      EncryptedKey ek = keyCipher.encryptKey(doc, cek);
      XMLCipher cipher = XMLCipher.getInstance(XMLCipher.AES_256_GCM);
      cipher.init(XMLCipher.ENCRYPT_MODE, cek);
      EncryptedData ed = cipher.getEncryptedData();
      KeyInfo ki = new KeyInfo(doc);
      ki.add(ek);
      ed.setKeyInfo(ki);
      Element wrapper = doc.createElementNS(SAML, "saml:EncryptedAssertion");
      assertion.getParentNode().insertBefore(wrapper, assertion);
      wrapper.appendChild(assertion);
      cipher.doFinal(doc, assertion, false);
    } catch (Exception e) {
      throw new IllegalStateException("test encryption failed", e);
    }
  }

  /** The response's (first) assertion element. */
  public static Element assertion(Document doc) {
    return (Element) doc.getElementsByTagNameNS(SAML, "Assertion").item(0);
  }

  static Element firstElement(Element e) {
    for (org.w3c.dom.Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element el) {
        return el;
      }
    }
    return null;
  }

  /** Serialises exactly (comments kept). */
  public static byte[] bytes(Document doc) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    XMLUtils.outputDOM(doc, out);
    return out.toByteArray();
  }

  /** The {@code SAMLResponse} form value. */
  public static String encode(Document doc) {
    return Base64.getEncoder().encodeToString(bytes(doc));
  }

  public static String encode(String xml) {
    return Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8));
  }
}
