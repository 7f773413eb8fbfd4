package dev.bulwark.sso.saml;

import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.internal.Dom;
import dev.bulwark.sso.internal.SafeXml;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * What a service provider needs from an identity provider's SAML metadata: its entity ID, the
 * signing keys it is pinned to, and its endpoints. Immutable and thread-safe.
 *
 * <p><b>Security considerations.</b> The signing keys come only from here (never from a message's
 * {@code KeyInfo}). Metadata must reach the host over a trusted channel (a file the operator
 * checked, or HTTPS to the IdP); this class does not verify a metadata signature.
 */
public final class IdpMetadata {

  static final String REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
  static final String POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

  private final String entityId;
  private final List<PublicKey> signingKeys;
  private final Optional<URI> ssoRedirect;
  private final Optional<URI> ssoPost;
  private final Optional<URI> sloRedirect;
  private final boolean wantAuthnRequestsSigned;

  private IdpMetadata(
      String entityId,
      List<PublicKey> signingKeys,
      Optional<URI> ssoRedirect,
      Optional<URI> ssoPost,
      Optional<URI> sloRedirect,
      boolean wantAuthnRequestsSigned) {
    this.entityId = entityId;
    this.signingKeys = List.copyOf(signingKeys);
    this.ssoRedirect = ssoRedirect;
    this.ssoPost = ssoPost;
    this.sloRedirect = sloRedirect;
    this.wantAuthnRequestsSigned = wantAuthnRequestsSigned;
  }

  /** Metadata built by hand, for an IdP that publishes none (or a test IdP). */
  public static IdpMetadata of(
      String entityId,
      List<PublicKey> signingKeys,
      URI ssoRedirect,
      Optional<URI> sloRedirect,
      boolean wantAuthnRequestsSigned) {
    Objects.requireNonNull(entityId, "entityId");
    if (signingKeys.isEmpty()) {
      throw new IllegalArgumentException("an identity provider needs at least one signing key");
    }
    return new IdpMetadata(
        entityId,
        signingKeys,
        Optional.of(ssoRedirect),
        Optional.of(ssoRedirect),
        sloRedirect,
        wantAuthnRequestsSigned);
  }

  /**
   * Parses an {@code EntityDescriptor} with an {@code IDPSSODescriptor}.
   *
   * @throws InvalidMetadataException when the XML is unusable or names no signing key
   */
  public static IdpMetadata parse(byte[] xml) throws InvalidMetadataException {
    Element root;
    try {
      root = SafeXml.parse(xml, 1 << 20).getDocumentElement();
    } catch (SsoRefusedException e) {
      throw new InvalidMetadataException("metadata is not acceptable XML (" + e.reason() + ")");
    }
    if (!Dom.is(root, Dom.METADATA, "EntityDescriptor")) {
      throw new InvalidMetadataException("metadata root is not an EntityDescriptor");
    }
    String entityId = root.getAttributeNS(null, "entityID");
    if (entityId.isEmpty()) {
      throw new InvalidMetadataException("EntityDescriptor has no entityID");
    }
    List<Element> idps = Dom.children(root, Dom.METADATA, "IDPSSODescriptor");
    if (idps.size() != 1) {
      throw new InvalidMetadataException("expected exactly one IDPSSODescriptor");
    }
    Element idp = idps.get(0);
    List<PublicKey> certs = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Element kd : Dom.children(idp, Dom.METADATA, "KeyDescriptor")) {
        String use = kd.getAttributeNS(null, "use");
        if (!use.isEmpty() && !use.equals("signing")) {
          continue;
        }
        for (Element ki : Dom.children(kd, Dom.DSIG, "KeyInfo")) {
          for (Element data : Dom.children(ki, Dom.DSIG, "X509Data")) {
            for (Element c : Dom.children(data, Dom.DSIG, "X509Certificate")) {
              byte[] der = Base64.getMimeDecoder().decode(Dom.text(c));
              certs.add(cf.generateCertificate(new ByteArrayInputStream(der)).getPublicKey());
            }
          }
        }
      }
    } catch (CertificateException | IllegalArgumentException | SsoRefusedException e) {
      throw new InvalidMetadataException("unreadable signing certificate", e);
    }
    if (certs.isEmpty()) {
      throw new InvalidMetadataException(
          "identity provider metadata names no signing key; refusing to trust its messages");
    }
    return new IdpMetadata(
        entityId,
        certs,
        endpoint(idp, "SingleSignOnService", REDIRECT),
        endpoint(idp, "SingleSignOnService", POST),
        endpoint(idp, "SingleLogoutService", REDIRECT),
        Boolean.parseBoolean(idp.getAttributeNS(null, "WantAuthnRequestsSigned")));
  }

  private static Optional<URI> endpoint(Element idp, String kind, String binding)
      throws InvalidMetadataException {
    for (Element e : Dom.children(idp, Dom.METADATA, kind)) {
      if (binding.equals(e.getAttributeNS(null, "Binding"))) {
        try {
          URI u = new URI(e.getAttributeNS(null, "Location"));
          if (!u.isAbsolute()) {
            throw new InvalidMetadataException(kind + " location is not absolute");
          }
          return Optional.of(u);
        } catch (java.net.URISyntaxException ex) {
          throw new InvalidMetadataException(kind + " location is not a URI", ex);
        }
      }
    }
    return Optional.empty();
  }

  public String entityId() {
    return entityId;
  }

  /** The pinned signing keys (from the metadata's certificates; their validity dates are not used). */
  public List<PublicKey> signingKeys() {
    return signingKeys;
  }

  public Optional<URI> singleSignOnRedirect() {
    return ssoRedirect;
  }

  public Optional<URI> singleSignOnPost() {
    return ssoPost;
  }

  public Optional<URI> singleLogoutRedirect() {
    return sloRedirect;
  }

  public boolean wantAuthnRequestsSigned() {
    return wantAuthnRequestsSigned;
  }

  @Override
  public String toString() {
    return "IdpMetadata[" + entityId + ", " + signingKeys.size() + " signing key(s)]";
  }
}
