package dev.bulwark.sso.internal;

import java.io.ByteArrayOutputStream;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.apache.xml.security.algorithms.MessageDigestAlgorithm;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.exceptions.XMLSecurityException;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transforms;
import org.apache.xml.security.utils.XMLUtils;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Signs an outgoing SAML message's root element (enveloped, exclusive c14n, RSA-SHA256). */
public final class XmlSigner {

  static {
    org.apache.xml.security.Init.init();
  }

  private XmlSigner() {}

  public static byte[] signRoot(byte[] xml, PrivateKey key, Optional<X509Certificate> certificate) {
    try {
      Document doc = SafeXml.parse(xml, Integer.MAX_VALUE);
      Element root = doc.getDocumentElement();
      root.setIdAttributeNS(null, "ID", true);
      XMLSignature sig =
          new XMLSignature(
              doc, "", XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256, Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS);
      Element issuer = Dom.elements(root).get(0);
      root.insertBefore(sig.getElement(), issuer.getNextSibling());
      Transforms t = new Transforms(doc);
      t.addTransform(Transforms.TRANSFORM_ENVELOPED_SIGNATURE);
      t.addTransform(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS);
      sig.addDocument("#" + root.getAttributeNS(null, "ID"), t, MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA256);
      if (certificate.isPresent()) {
        sig.addKeyInfo(certificate.get());
      }
      sig.sign(key);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      XMLUtils.outputDOM(doc, out);
      return out.toByteArray();
    } catch (XMLSecurityException | dev.bulwark.sso.SsoRefusedException e) {
      throw new IllegalStateException("cannot sign the outgoing message", e);
    }
  }
}
