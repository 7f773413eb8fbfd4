package dev.bulwark.sso.internal;

import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoRefusedException;
import java.security.PublicKey;
import java.util.List;
import java.util.Set;
import org.apache.xml.security.exceptions.XMLSecurityException;
import org.apache.xml.security.signature.Reference;
import org.apache.xml.security.signature.XMLSignature;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Verifies one enveloped XML signature over one element and proves that the element the signature
 * covered is that very node.
 *
 * <p>Before Santuario sees the signature, its shape is checked against an allow-list: only
 * SignedInfo, SignatureValue and KeyInfo (KeyInfo is ignored: keys come from metadata); exclusive
 * canonicalization without comments; exactly one Reference whose URI is {@code #} plus the
 * target's registered ID; the transforms enveloped-signature then (optionally) exclusive c14n;
 * SHA-256 or stronger digests; RSA-SHA256/384/512, RSA-PSS or ECDSA-SHA256/384/512. Santuario then
 * runs with secure validation on, and after it the reference's dereferenced node is compared by
 * identity with the target.
 */
public final class SignatureCheck {

  static final String EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
  static final String ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

  static final Set<String> SIGNATURE_ALGORITHMS =
      Set.of(
          XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256,
          XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA384,
          XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA512,
          XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256_MGF1,
          XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA384_MGF1,
          XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA512_MGF1,
          XMLSignature.ALGO_ID_SIGNATURE_ECDSA_SHA256,
          XMLSignature.ALGO_ID_SIGNATURE_ECDSA_SHA384,
          XMLSignature.ALGO_ID_SIGNATURE_ECDSA_SHA512);

  static final Set<String> DIGEST_ALGORITHMS =
      Set.of(
          "http://www.w3.org/2001/04/xmlenc#sha256",
          "http://www.w3.org/2001/04/xmldsig-more#sha384",
          "http://www.w3.org/2001/04/xmlenc#sha512");

  static {
    org.apache.xml.security.Init.init();
  }

  private SignatureCheck() {}

  /**
   * Verifies {@code signature} (a direct child of {@code target}) with one of {@code keys} and
   * returns {@code target}, the only node claims may then be read from.
   */
  public static Element verify(Element signature, Element target, List<PublicKey> keys)
      throws SsoRefusedException {
    if (signature.getParentNode() != target) {
      throw new SsoRefusedException(RefusalReason.UNEXPECTED_SIGNATURE, "signature is not enveloped");
    }
    String id = target.getAttributeNS(null, "ID");
    if (id.isEmpty()) {
      throw new SsoRefusedException(RefusalReason.SIGNATURE_REFERENCE, "signed element has no ID");
    }
    checkShape(signature, id);
    target.setIdAttributeNS(null, "ID", true);
    XMLSignature sig;
    try {
      sig = new XMLSignature(signature, "", true);
    } catch (XMLSecurityException | RuntimeException e) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "unreadable signature");
    }
    boolean ok = false;
    for (PublicKey key : keys) {
      try {
        if (sig.checkSignatureValue(key)) {
          ok = true;
          break;
        }
      } catch (XMLSecurityException | RuntimeException e) {
        // wrong key type or a failed reference: try the next pinned key
      }
    }
    if (!ok) {
      throw new SsoRefusedException(RefusalReason.SIGNATURE_INVALID, "signature does not verify");
    }
    Node covered;
    try {
      Reference ref = sig.getSignedInfo().item(0);
      covered = ref.getContentsBeforeTransformation().getSubNode();
    } catch (XMLSecurityException | RuntimeException e) {
      throw new SsoRefusedException(RefusalReason.SIGNATURE_REFERENCE, "reference not resolvable");
    }
    if (covered != target) {
      throw new SsoRefusedException(
          RefusalReason.SIGNATURE_REFERENCE, "signature covers another element");
    }
    return target;
  }

  private static void checkShape(Element signature, String id) throws SsoRefusedException {
    List<Element> parts = Dom.elements(signature);
    if (parts.size() < 2
        || parts.size() > 3
        || !Dom.is(parts.get(0), Dom.DSIG, "SignedInfo")
        || !Dom.is(parts.get(1), Dom.DSIG, "SignatureValue")
        || parts.size() == 3 && !Dom.is(parts.get(2), Dom.DSIG, "KeyInfo")) {
      throw new SsoRefusedException(
          RefusalReason.UNEXPECTED_SIGNATURE, "signature has unexpected parts");
    }
    Element signedInfo = parts.get(0);
    List<Element> si = Dom.elements(signedInfo);
    if (si.size() != 3
        || !Dom.is(si.get(0), Dom.DSIG, "CanonicalizationMethod")
        || !Dom.is(si.get(1), Dom.DSIG, "SignatureMethod")
        || !Dom.is(si.get(2), Dom.DSIG, "Reference")) {
      throw new SsoRefusedException(
          RefusalReason.SIGNATURE_REFERENCE, "signature must have exactly one reference");
    }
    if (!EXC_C14N.equals(si.get(0).getAttributeNS(null, "Algorithm"))
        || !Dom.elements(si.get(0)).isEmpty() && !onlyInclusiveNamespaces(si.get(0))) {
      throw new SsoRefusedException(RefusalReason.ALGORITHM_FORBIDDEN, "canonicalization not allowed");
    }
    if (!SIGNATURE_ALGORITHMS.contains(si.get(1).getAttributeNS(null, "Algorithm"))
        || !Dom.elements(si.get(1)).isEmpty()) {
      throw new SsoRefusedException(RefusalReason.ALGORITHM_FORBIDDEN, "signature algorithm not allowed");
    }
    Element ref = si.get(2);
    if (!ref.getAttributeNS(null, "URI").equals("#" + id)) {
      throw new SsoRefusedException(
          RefusalReason.SIGNATURE_REFERENCE, "reference does not name the signed element");
    }
    List<Element> rp = Dom.elements(ref);
    if (rp.size() != 3
        || !Dom.is(rp.get(0), Dom.DSIG, "Transforms")
        || !Dom.is(rp.get(1), Dom.DSIG, "DigestMethod")
        || !Dom.is(rp.get(2), Dom.DSIG, "DigestValue")) {
      throw new SsoRefusedException(RefusalReason.SIGNATURE_REFERENCE, "reference has unexpected parts");
    }
    List<Element> transforms = Dom.elements(rp.get(0));
    boolean shapeOk =
        (transforms.size() == 1 || transforms.size() == 2)
            && Dom.is(transforms.get(0), Dom.DSIG, "Transform")
            && ENVELOPED.equals(transforms.get(0).getAttributeNS(null, "Algorithm"))
            && Dom.elements(transforms.get(0)).isEmpty()
            && (transforms.size() == 1
                || Dom.is(transforms.get(1), Dom.DSIG, "Transform")
                    && EXC_C14N.equals(transforms.get(1).getAttributeNS(null, "Algorithm"))
                    && onlyInclusiveNamespaces(transforms.get(1)));
    if (!shapeOk) {
      throw new SsoRefusedException(
          RefusalReason.ALGORITHM_FORBIDDEN, "only enveloped-signature and exclusive c14n allowed");
    }
    if (!DIGEST_ALGORITHMS.contains(rp.get(1).getAttributeNS(null, "Algorithm"))) {
      throw new SsoRefusedException(RefusalReason.ALGORITHM_FORBIDDEN, "digest algorithm not allowed");
    }
  }

  private static boolean onlyInclusiveNamespaces(Element e) {
    for (Element c : Dom.elements(e)) {
      if (!"InclusiveNamespaces".equals(c.getLocalName()) || !EXC_C14N.equals(c.getNamespaceURI())) {
        return false;
      }
    }
    return true;
  }
}
