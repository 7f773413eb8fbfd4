package dev.bulwark.testkit.sso;

import static dev.bulwark.sso.RefusalReason.ALGORITHM_FORBIDDEN;
import static dev.bulwark.sso.RefusalReason.ASSERTION_COUNT;
import static dev.bulwark.sso.RefusalReason.AUDIENCE_MISMATCH;
import static dev.bulwark.sso.RefusalReason.DECRYPTION_FAILED;
import static dev.bulwark.sso.RefusalReason.DESTINATION_MISMATCH;
import static dev.bulwark.sso.RefusalReason.DTD_FORBIDDEN;
import static dev.bulwark.sso.RefusalReason.DUPLICATE_ID;
import static dev.bulwark.sso.RefusalReason.EXPIRED;
import static dev.bulwark.sso.RefusalReason.ISSUER_MISMATCH;
import static dev.bulwark.sso.RefusalReason.MALFORMED;
import static dev.bulwark.sso.RefusalReason.MISSING_ELEMENT;
import static dev.bulwark.sso.RefusalReason.NOT_YET_VALID;
import static dev.bulwark.sso.RefusalReason.RECIPIENT_MISMATCH;
import static dev.bulwark.sso.RefusalReason.REPLAYED;
import static dev.bulwark.sso.RefusalReason.REQUEST_MISMATCH;
import static dev.bulwark.sso.RefusalReason.SIGNATURE_INVALID;
import static dev.bulwark.sso.RefusalReason.SIGNATURE_REFERENCE;
import static dev.bulwark.sso.RefusalReason.STATUS_NOT_SUCCESS;
import static dev.bulwark.sso.RefusalReason.TOO_LARGE;
import static dev.bulwark.sso.RefusalReason.UNEXPECTED_CONTENT;
import static dev.bulwark.sso.RefusalReason.UNEXPECTED_SIGNATURE;
import static dev.bulwark.sso.RefusalReason.UNSIGNED;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.sso.saml.SentRequest;
import dev.bulwark.testing.FakeClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.crypto.spec.SecretKeySpec;
import org.apache.xml.security.algorithms.MessageDigestAlgorithm;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transforms;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Crafted SAML responses, each an attack seen against real service providers (signature
 * wrapping XSW1–XSW8 after Somorovsky et al., "On Breaking SAML", 2012; comment injection, 2018;
 * assertions hidden in {@code Extensions}; unsigned encrypted assertions, Keycloak CVE-2026-2092;
 * KeyInfo substitution; algorithm downgrade; DTD/XXE; replay; responses for someone else), and the
 * reasons a correct service provider refuses them with.
 */
public final class SamlAttackCorpus {

  private SamlAttackCorpus() {}

  /** What a case needs to craft its response. */
  public record Context(
      TestIdp idp,
      SamlServiceProvider sp,
      SentRequest sent,
      String entityId,
      URI acs,
      FakeClock clock,
      Optional<KeyPair> decryptionKey) {

    public TestIdp.Spec spec() {
      return idp.spec(entityId, acs, sent.id(), clock.instant());
    }
  }

  /**
   * One crafted response.
   *
   * @param acceptFirst the response is genuine and accepted once; the second use must be refused
   * @param advance how far the clock moves before validation
   */
  public record Case(
      String name,
      Set<RefusalReason> expected,
      Function<Context, String> craft,
      boolean acceptFirst,
      Duration advance) {}

  /** The genuine, signed response the corpus mutates. */
  public static String genuine(Context c) {
    return TestIdp.encode(signed(c, s -> {}));
  }

  static Document signed(Context c, Consumer<TestIdp.Spec> change) {
    TestIdp.Spec s = c.spec();
    change.accept(s);
    Document d = TestIdp.build(s);
    TestIdp.sign(TestIdp.assertion(d), c.idp().signing());
    return d;
  }

  static Document signedWith(Context c, Consumer<TestIdp.Signing> how) {
    Document d = TestIdp.build(c.spec());
    TestIdp.Signing s = c.idp().signing();
    how.accept(s);
    TestIdp.sign(TestIdp.assertion(d), s);
    return d;
  }

  static Document responseSigned(Context c) {
    Document d = TestIdp.build(c.spec());
    TestIdp.sign(d.getDocumentElement(), c.idp().signing());
    return d;
  }

  static Element signatureOf(Element e) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element el && "Signature".equals(el.getLocalName())) {
        return el;
      }
    }
    throw new IllegalStateException("no signature");
  }

  static Element evilCopy(Element assertion) {
    Element evil = (Element) assertion.cloneNode(true);
    for (Node n = evil.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element el && "Signature".equals(el.getLocalName())) {
        evil.removeChild(el);
        break;
      }
    }
    evil.setAttributeNS(null, "ID", TestIdp.newId());
    setNameId(evil, "admin@example.com");
    return evil;
  }

  static void setNameId(Element assertion, String value) {
    Element n = (Element) assertion.getElementsByTagNameNS(TestIdp.SAML, "NameID").item(0);
    n.setTextContent(value);
  }

  static Element extensions(Document d) {
    Element ext = d.createElementNS(TestIdp.SAMLP, "samlp:Extensions");
    Element root = d.getDocumentElement();
    Element issuer = TestIdp.firstElement(root);
    root.insertBefore(ext, issuer.getNextSibling());
    return ext;
  }

  private static String raw(String xml) {
    return Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8));
  }

  private static Case refuse(String name, Function<Context, String> craft, RefusalReason... expected) {
    return new Case(name, EnumSet.copyOf(List.of(expected)), craft, false, Duration.ZERO);
  }

  /** Every case; at least 30. */
  public static List<Case> cases() {
    List<Case> cs = new ArrayList<>();
    // Signature wrapping, the eight classic shapes.
    cs.add(refuse("xsw1_signedResponseMovedIntoSignatureOfEvilResponse", c -> {
      Document d = responseSigned(c);
      Element resp = d.getDocumentElement();
      Element original = (Element) resp.cloneNode(true);
      original.removeChild(signatureOf(original));
      resp.setAttributeNS(null, "ID", TestIdp.newId());
      setNameId(TestIdp.assertion(d), "admin@example.com");
      signatureOf(resp).appendChild(original);
      return TestIdp.encode(d);
    }, ASSERTION_COUNT));
    cs.add(refuse("xsw2_signedResponseDetachedBeforeSignatureOfEvilResponse", c -> {
      Document d = responseSigned(c);
      Element resp = d.getDocumentElement();
      Element original = (Element) resp.cloneNode(true);
      original.removeChild(signatureOf(original));
      resp.setAttributeNS(null, "ID", TestIdp.newId());
      setNameId(TestIdp.assertion(d), "admin@example.com");
      resp.insertBefore(original, signatureOf(resp));
      return TestIdp.encode(d);
    }, ASSERTION_COUNT));
    cs.add(refuse("xsw3_evilAssertionBeforeSignedAssertion", c -> {
      Document d = signed(c, s -> {});
      Element a = TestIdp.assertion(d);
      a.getParentNode().insertBefore(evilCopy(a), a);
      return TestIdp.encode(d);
    }, ASSERTION_COUNT));
    cs.add(refuse("xsw4_evilAssertionWrapsSignedAssertion", c -> {
      Document d = signed(c, s -> {});
      Element a = TestIdp.assertion(d);
      Element evil = evilCopy(a);
      a.getParentNode().replaceChild(evil, a);
      evil.appendChild(a);
      return TestIdp.encode(d);
    }, ASSERTION_COUNT));
    cs.add(refuse("xsw5_modifiedSignedAssertionWithOriginalCopyAppended", c -> {
      Document d = signed(c, s -> {});
      Element a = TestIdp.assertion(d);
      Element copy = (Element) a.cloneNode(true);
      copy.removeChild(signatureOf(copy));
      setNameId(a, "admin@example.com");
      d.getDocumentElement().appendChild(copy);
      return TestIdp.encode(d);
    }, ASSERTION_COUNT));
    cs.add(refuse("xsw6_originalCopyInsideSignatureOfModifiedAssertion", c -> {
      Document d = signed(c, s -> {});
      Element a = TestIdp.assertion(d);
      Element copy = (Element) a.cloneNode(true);
      copy.removeChild(signatureOf(copy));
      setNameId(a, "admin@example.com");
      signatureOf(a).appendChild(copy);
      return TestIdp.encode(d);
    }, ASSERTION_COUNT));
    cs.add(refuse("xsw7_signedAssertionInExtensionsEvilAssertionOutside", c -> {
      Document d = signed(c, s -> {});
      Element a = TestIdp.assertion(d);
      Element evil = evilCopy(a);
      a.getParentNode().replaceChild(evil, a);
      extensions(d).appendChild(a);
      return TestIdp.encode(d);
    }, ASSERTION_COUNT));
    cs.add(refuse("xsw8_originalWithoutSignatureInObjectOfEvilSignature", c -> {
      Document d = signed(c, s -> {});
      Element a = TestIdp.assertion(d);
      Element original = (Element) a.cloneNode(true);
      original.removeChild(signatureOf(original));
      setNameId(a, "admin@example.com");
      Element object = d.createElementNS(TestIdp.DS, "ds:Object");
      object.appendChild(original);
      signatureOf(a).appendChild(object);
      return TestIdp.encode(d);
    }, ASSERTION_COUNT));
    cs.add(refuse("assertionHiddenInExtensionsOnly", c -> {
      Document d = signed(c, s -> {});
      Element a = TestIdp.assertion(d);
      a.getParentNode().removeChild(a);
      extensions(d).appendChild(a);
      return TestIdp.encode(d);
    }, ASSERTION_COUNT));
    cs.add(refuse("signatureObjectCarriesExtraContent", c -> {
      Document d = signed(c, s -> {});
      Element object = d.createElementNS(TestIdp.DS, "ds:Object");
      object.setTextContent("x");
      signatureOf(TestIdp.assertion(d)).appendChild(object);
      return TestIdp.encode(d);
    }, UNEXPECTED_SIGNATURE));
    cs.add(refuse("signatureMovedIntoSubject", c -> {
      Document d = signed(c, s -> {});
      Element a = TestIdp.assertion(d);
      Element sig = signatureOf(a);
      a.getElementsByTagNameNS(TestIdp.SAML, "Subject").item(0).appendChild(sig);
      return TestIdp.encode(d);
    }, UNEXPECTED_SIGNATURE, UNSIGNED));
    cs.add(refuse("extraSignatureInExtensions", c -> {
      Document d = signed(c, s -> {});
      Element sig = (Element) signatureOf(TestIdp.assertion(d)).cloneNode(true);
      extensions(d).appendChild(sig);
      return TestIdp.encode(d);
    }, UNEXPECTED_SIGNATURE));
    // Parser differentials.
    cs.add(refuse("commentInjectedIntoNameId", c -> {
      Document d = signed(c, s -> s.nameId = "alice@example.com.evil.test");
      Element n = (Element) TestIdp.assertion(d).getElementsByTagNameNS(TestIdp.SAML, "NameID").item(0);
      Node text = n.getFirstChild();
      n.insertBefore(d.createComment(""), ((org.w3c.dom.Text) text).splitText("alice@example.com".length()));
      return TestIdp.encode(d);
    }, UNEXPECTED_CONTENT));
    cs.add(refuse("commentInjectedIntoAttributeValue", c -> {
      Document d = signed(c, s -> {});
      Element v = (Element) TestIdp.assertion(d).getElementsByTagNameNS(TestIdp.SAML, "AttributeValue").item(0);
      v.appendChild(d.createComment("x"));
      return TestIdp.encode(d);
    }, UNEXPECTED_CONTENT));
    cs.add(refuse("processingInstructionInAssertion", c -> {
      Document d = signed(c, s -> {});
      TestIdp.assertion(d).appendChild(d.createProcessingInstruction("evil", "x"));
      return TestIdp.encode(d);
    }, UNEXPECTED_CONTENT));
    cs.add(refuse("duplicateIdOnExtensionsElement", c -> {
      Document d = signed(c, s -> {});
      Element a = TestIdp.assertion(d);
      Element twin = d.createElementNS("urn:example:evil", "e:Twin");
      twin.setAttributeNS("http://www.w3.org/2000/xmlns/", "xmlns:e", "urn:example:evil");
      twin.setAttributeNS(null, "ID", a.getAttributeNS(null, "ID"));
      extensions(d).appendChild(twin);
      return TestIdp.encode(d);
    }, DUPLICATE_ID));
    cs.add(refuse("responseAndAssertionShareId", c -> {
      TestIdp.Spec s = c.spec();
      s.responseId = s.assertionId;
      Document d = TestIdp.build(s);
      TestIdp.sign(TestIdp.assertion(d), c.idp().signing());
      return TestIdp.encode(d);
    }, DUPLICATE_ID));
    // Missing or misplaced signatures.
    cs.add(refuse("unsignedAssertion", c -> TestIdp.encode(TestIdp.build(c.spec())), UNSIGNED));
    cs.add(refuse("signedResponseUnsignedAssertion", c -> TestIdp.encode(responseSigned(c)), UNSIGNED));
    cs.add(refuse("unsignedEncryptedAssertion", c -> {
      Document d = TestIdp.build(c.spec());
      TestIdp.encryptAssertion(d, c.decryptionKey().map(KeyPair::getPublic).orElse(TestIdp.rsa().getPublic()));
      return TestIdp.encode(d);
    }, UNSIGNED, DECRYPTION_FAILED));
    cs.add(refuse("tamperedAfterSigning", c -> {
      Document d = signed(c, s -> {});
      setNameId(TestIdp.assertion(d), "admin@example.com");
      return TestIdp.encode(d);
    }, SIGNATURE_INVALID));
    // Keys and algorithms.
    cs.add(refuse("keyInfoSubstitution_signedByAttackerWithKeyInKeyInfo", c -> {
      KeyPair attacker = TestIdp.rsa();
      return TestIdp.encode(signedWith(c, s -> {
        s.signingKey = attacker.getPrivate();
        s.keyInfo = Optional.of(attacker.getPublic());
      }));
    }, SIGNATURE_INVALID));
    cs.add(refuse("signedByUnknownKey", c -> {
      KeyPair attacker = TestIdp.rsa();
      return TestIdp.encode(signedWith(c, s -> s.signingKey = attacker.getPrivate()));
    }, SIGNATURE_INVALID));
    cs.add(refuse("rsaSha1Signature", c -> TestIdp.encode(signedWith(c,
        s -> s.signatureAlgorithm = XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA1)), ALGORITHM_FORBIDDEN));
    cs.add(refuse("sha1Digest", c -> TestIdp.encode(signedWith(c,
        s -> s.digestAlgorithm = MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA1)), ALGORITHM_FORBIDDEN));
    cs.add(refuse("hmacWithPublicKeyAsSecret", c -> TestIdp.encode(signedWith(c, s -> {
      s.signatureAlgorithm = XMLSignature.ALGO_ID_MAC_HMAC_SHA256;
      s.signingKey = new SecretKeySpec(c.idp().key().getPublic().getEncoded(), "HmacSHA256");
    })), ALGORITHM_FORBIDDEN));
    cs.add(refuse("inclusiveCanonicalization", c -> TestIdp.encode(signedWith(c,
        s -> s.canonicalization = Canonicalizer.ALGO_ID_C14N_OMIT_COMMENTS)), ALGORITHM_FORBIDDEN));
    cs.add(refuse("canonicalizationWithComments", c -> TestIdp.encode(signedWith(c,
        s -> s.canonicalization = Canonicalizer.ALGO_ID_C14N_EXCL_WITH_COMMENTS)), ALGORITHM_FORBIDDEN));
    cs.add(refuse("transformWithoutEnvelopedSignature", c -> TestIdp.encode(signedWith(c,
        s -> s.transforms = new ArrayList<>(List.of(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS)))),
        ALGORITHM_FORBIDDEN));
    cs.add(refuse("twoReferences", c -> {
      Document d = TestIdp.build(c.spec());
      d.getDocumentElement().setIdAttributeNS(null, "ID", true);
      TestIdp.Signing s = c.idp().signing();
      s.extraReferences.add("#" + d.getDocumentElement().getAttributeNS(null, "ID"));
      TestIdp.sign(TestIdp.assertion(d), s);
      return TestIdp.encode(d);
    }, SIGNATURE_REFERENCE));
    cs.add(refuse("referenceToWholeDocument", c -> TestIdp.encode(signedWith(c, s -> s.referenceUri = "")),
        SIGNATURE_REFERENCE));
    cs.add(refuse("referenceToResponseFromInsideAssertion", c -> {
      Document d = TestIdp.build(c.spec());
      Element resp = d.getDocumentElement();
      resp.setIdAttributeNS(null, "ID", true);
      TestIdp.Signing s = c.idp().signing();
      s.referenceUri = "#" + resp.getAttributeNS(null, "ID");
      TestIdp.sign(TestIdp.assertion(d), s);
      return TestIdp.encode(d);
    }, SIGNATURE_REFERENCE));
    // Entities.
    cs.add(refuse("billionLaughs", c -> raw("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">"
        + "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
        + "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]><r>&d;</r>"), DTD_FORBIDDEN));
    cs.add(refuse("externalEntity", c -> raw("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
        + "\"file:///etc/passwd\">]><samlp:Response xmlns:samlp=\"" + TestIdp.SAMLP + "\">&x;</samlp:Response>"),
        DTD_FORBIDDEN));
    cs.add(refuse("externalDtdOnSignedResponse", c -> {
      String xml = new String(TestIdp.bytes(signed(c, s -> {})), StandardCharsets.UTF_8);
      return raw("<!DOCTYPE samlp:Response SYSTEM \"http://127.0.0.1:1/evil.dtd\">" + xml);
    }, DTD_FORBIDDEN));
    // Replay, audience, time, binding to our request.
    cs.add(new Case("replayedAssertion", EnumSet.of(REPLAYED), SamlAttackCorpus::genuine, true, Duration.ZERO));
    cs.add(refuse("responseForAnotherServiceProvider", c -> TestIdp.encode(signed(c, s -> {
      s.audience = "https://other-sp.example/";
      s.destination = "https://other-sp.example/acs";
      s.recipient = "https://other-sp.example/acs";
    })), DESTINATION_MISMATCH, AUDIENCE_MISMATCH, RECIPIENT_MISMATCH));
    cs.add(refuse("audienceOfAnotherServiceProvider", c -> TestIdp.encode(signed(c,
        s -> s.audience = "https://other-sp.example/")), AUDIENCE_MISMATCH));
    cs.add(refuse("recipientOfAnotherEndpoint", c -> TestIdp.encode(signed(c,
        s -> s.recipient = "https://other-sp.example/acs")), RECIPIENT_MISMATCH));
    cs.add(refuse("destinationOfAnotherEndpoint", c -> TestIdp.encode(signed(c,
        s -> s.destination = "https://other-sp.example/acs")), DESTINATION_MISMATCH));
    cs.add(new Case("expiredAssertion", EnumSet.of(EXPIRED), SamlAttackCorpus::genuine, false, Duration.ofMinutes(30)));
    cs.add(refuse("notYetValid", c -> TestIdp.encode(signed(c, s -> {
      s.notBefore = c.clock().instant().plus(Duration.ofMinutes(30));
      s.notOnOrAfter = c.clock().instant().plus(Duration.ofMinutes(60));
    })), NOT_YET_VALID));
    cs.add(refuse("answersAnotherRequest", c -> TestIdp.encode(signed(c, s -> {
      s.inResponseTo = TestIdp.newId();
      s.confirmationInResponseTo = s.inResponseTo;
    })), REQUEST_MISMATCH));
    cs.add(refuse("unsolicitedResponse", c -> TestIdp.encode(signed(c, s -> {
      s.inResponseTo = null;
      s.confirmationInResponseTo = null;
    })), REQUEST_MISMATCH));
    cs.add(refuse("assertionFromAnotherIssuerSignedWithPinnedKey", c -> TestIdp.encode(signed(c,
        s -> s.assertionIssuer = "https://evil-idp.example/")), ISSUER_MISMATCH));
    cs.add(refuse("identityProviderReportsFailure", c -> TestIdp.encode(signed(c,
        s -> s.status = "urn:oasis:names:tc:SAML:2.0:status:Responder")), STATUS_NOT_SUCCESS));
    cs.add(refuse("noBearerConfirmation", c -> TestIdp.encode(signed(c, s -> s.bearer = false)),
        MISSING_ELEMENT));
    // Garbage.
    cs.add(refuse("oversized", c -> raw("<a>" + "x".repeat(20 * 1024 * 1024) + "</a>"), TOO_LARGE));
    cs.add(refuse("notBase64", c -> "%%%not-base64%%%", MALFORMED));
    cs.add(refuse("notXml", c -> raw("{\"saml\": true}"), MALFORMED));
    cs.add(refuse("wrongRootElement", c -> raw("<samlp:LogoutResponse xmlns:samlp=\"" + TestIdp.SAMLP
        + "\" ID=\"_x\" Version=\"2.0\"/>"), MALFORMED));
    return List.copyOf(cs);
  }
}
