package dev.bulwark.sso.saml;

import dev.bulwark.sso.internal.ClockSkew;
import dev.bulwark.sso.internal.EventReporter;
import dev.bulwark.sso.AssuranceMapping;
import dev.bulwark.sso.InMemoryReplayCache;
import dev.bulwark.sso.Protocol;
import dev.bulwark.sso.RefusalReason;
import dev.bulwark.sso.SsoEvent;
import dev.bulwark.sso.SsoEventListener;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.internal.Dom;
import dev.bulwark.sso.internal.RedirectBinding;
import dev.bulwark.sso.internal.ResponseValidator;
import dev.bulwark.sso.internal.SafeXml;
import dev.bulwark.sso.spi.ReplayCache;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * A SAML 2.0 Web Browser SSO service provider: builds authentication and logout requests, validates
 * responses into a {@link VerifiedIdentity}, answers the identity provider's own logout requests
 * (ending local sessions through a {@link SessionTerminator}), and publishes its own metadata. Immutable and
 * thread-safe; build one per identity provider with {@link #builder}.
 *
 * <p><b>Security considerations.</b> A response is accepted only when it answers a request this
 * service provider sent ({@link SentRequest}, kept by the host in the user's session): unsolicited
 * (IdP-initiated) responses are refused. The assertion must carry its own signature made with a key
 * from the identity provider's metadata; {@code KeyInfo} in messages is ignored. A response
 * signature alone is accepted only after {@link Builder#allowSignedResponseOnly()}. Claims are read
 * only from the element the verified signature covered. Every outcome is reported to the {@link
 * SsoEventListener}.
 */
public final class SamlServiceProvider {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String entityId;
  private final URI acs;
  private final Optional<URI> sloUrl;
  private final IdpMetadata idp;
  private final Optional<PrivateKey> signingKey;
  private final Optional<X509Certificate> signingCertificate;
  private final Optional<X509Certificate> encryptionCertificate;
  private final boolean signRequests;
  private final Clock clock;
  private final int maxBytes;
  private final EventReporter events;
  private final ResponseValidator validator;
  private final Duration clockSkew;
  private final ReplayCache replayCache;

  private SamlServiceProvider(Builder b) {
    this.entityId = b.entityId;
    this.acs = b.acs;
    this.sloUrl = Optional.ofNullable(b.sloUrl);
    this.idp = b.idp;
    this.signingKey = Optional.ofNullable(b.signingKey);
    this.signingCertificate = Optional.ofNullable(b.signingCertificate);
    this.encryptionCertificate = Optional.ofNullable(b.encryptionCertificate);
    this.signRequests = b.signRequests || idp.wantAuthnRequestsSigned();
    this.clock = b.clock;
    this.maxBytes = b.maxBytes;
    this.events = new EventReporter(b.listener, Protocol.SAML2, idp.entityId(), b.clock);
    this.clockSkew = b.clockSkew;
    this.replayCache = b.replayCache;
    this.validator =
        new ResponseValidator(
            new ResponseValidator.Settings(
                entityId,
                acs.toString(),
                idp.entityId(),
                idp.signingKeys(),
                Optional.ofNullable(b.decryptionKey),
                b.allowSignedResponseOnly,
                b.clockSkew,
                b.maxBytes,
                b.clock,
                b.replayCache,
                b.assurance));
  }

  /**
   * @param entityId this service provider's entity ID (the audience assertions must name)
   * @param assertionConsumerService where the identity provider posts responses (must match each
   *     response's {@code Destination} and {@code Recipient} exactly)
   * @param idp the identity provider this service provider trusts
   */
  public static Builder builder(String entityId, URI assertionConsumerService, IdpMetadata idp) {
    return new Builder(entityId, assertionConsumerService, idp);
  }

  /** A new {@code AuthnRequest} for the HTTP-Redirect binding (signed over the query when required). */
  public SamlRedirect authnRequestRedirect(String relayState) {
    URI target = idp.singleSignOnRedirect()
        .orElseThrow(() -> new IllegalStateException("identity provider has no HTTP-Redirect sign-on endpoint"));
    SentRequest sent = newRequest();
    String xml = authnRequestXml(sent, target);
    String query = RedirectBinding.encode("SAMLRequest", xml, relayState, signRequests ? signingKey.get() : null);
    return new SamlRedirect(append(target, query), sent);
  }

  /** A new {@code AuthnRequest} for the HTTP-POST binding (with an enveloped signature when required). */
  public SamlPostForm authnRequestPost(String relayState) {
    URI target = idp.singleSignOnPost()
        .orElseThrow(() -> new IllegalStateException("identity provider has no HTTP-POST sign-on endpoint"));
    SentRequest sent = newRequest();
    String xml = authnRequestXml(sent, target);
    byte[] out = xml.getBytes(StandardCharsets.UTF_8);
    if (signRequests) {
      out = dev.bulwark.sso.internal.XmlSigner.signRoot(out, signingKey.get(), signingCertificate);
    }
    return new SamlPostForm(target, Base64.getEncoder().encodeToString(out), relayState, sent);
  }

  /**
   * Validates the {@code SAMLResponse} form value posted to the assertion consumer service.
   *
   * @param sent the request this browser's session sent
   * @throws SsoRefusedException with the reason; nothing of the response is returned
   */
  public VerifiedIdentity validate(String samlResponse, SentRequest sent) throws SsoRefusedException {
    Objects.requireNonNull(samlResponse, "samlResponse");
    Objects.requireNonNull(sent, "sent");
    try {
      VerifiedIdentity id = validator.validate(samlResponse, sent.id());
      events.report(SsoEvent.Type.LOGIN_SUCCEEDED, Optional.of(id.subject()), Optional.empty());
      return id;
    } catch (SsoRefusedException e) {
      events.report(SsoEvent.Type.LOGIN_REFUSED, Optional.empty(), Optional.of(e.reason()));
      throw e;
    } catch (RuntimeException e) {
      SsoRefusedException refused =
          new SsoRefusedException(RefusalReason.MALFORMED, "response could not be processed", e);
      events.report(SsoEvent.Type.LOGIN_REFUSED, Optional.empty(), Optional.of(refused.reason()));
      throw refused;
    }
  }

  /** A signed {@code LogoutRequest} for the user's IdP session, over the HTTP-Redirect binding. */
  public SamlRedirect logoutRequest(VerifiedIdentity identity, String relayState) {
    URI target = idp.singleLogoutRedirect()
        .orElseThrow(() -> new IllegalStateException("identity provider has no HTTP-Redirect logout endpoint"));
    if (identity.protocol() != Protocol.SAML2 || !identity.issuer().equals(idp.entityId())) {
      throw new IllegalArgumentException("identity did not come from this identity provider");
    }
    SentRequest sent = newRequest();
    String xml =
        "<samlp:LogoutRequest xmlns:samlp=\"" + Dom.PROTOCOL + "\" xmlns:saml=\"" + Dom.ASSERTION
            + "\" ID=\"" + sent.id() + "\" Version=\"2.0\" IssueInstant=\"" + sent.issuedAt()
            + "\" Destination=\"" + esc(target.toString()) + "\"><saml:Issuer>" + esc(entityId)
            + "</saml:Issuer><saml:NameID>" + esc(identity.subject()) + "</saml:NameID>"
            + (identity.sessionIndex().isEmpty() ? ""
                : "<samlp:SessionIndex>" + esc(identity.sessionIndex()) + "</samlp:SessionIndex>")
            + "</samlp:LogoutRequest>";
    String query = RedirectBinding.encode("SAMLRequest", xml, relayState, signingKey.orElse(null));
    return new SamlRedirect(append(target, query), sent);
  }

  /**
   * Validates a {@code LogoutResponse} the identity provider sent back with the HTTP-Redirect
   * binding. {@code rawQuery} is the query string exactly as received (not decoded): its signature
   * is checked over those bytes.
   */
  public void validateLogoutResponse(String rawQuery, SentRequest sent) throws SsoRefusedException {
    try {
      byte[] xml = RedirectBinding.decodeSigned(rawQuery, "SAMLResponse", idp.signingKeys(), maxBytes);
      checkLogoutResponse(SafeXml.parse(xml, maxBytes).getDocumentElement(), sent);
      events.report(SsoEvent.Type.LOGOUT_SUCCEEDED, Optional.empty(), Optional.empty());
    } catch (SsoRefusedException e) {
      events.report(SsoEvent.Type.LOGOUT_REFUSED, Optional.empty(), Optional.of(e.reason()));
      throw e;
    }
  }

  /**
   * Validates a {@code LogoutResponse} the identity provider posted (HTTP-POST binding): it must
   * carry an enveloped signature by a pinned key over the whole message.
   */
  public void validateLogoutResponsePost(String samlResponse, SentRequest sent) throws SsoRefusedException {
    try {
      if (samlResponse.length() > maxBytes * 2) {
        throw new SsoRefusedException(RefusalReason.TOO_LARGE, "message too large");
      }
      byte[] xml;
      try {
        xml = Base64.getDecoder().decode(samlResponse.replaceAll("[\\r\\n\\t ]", ""));
      } catch (IllegalArgumentException e) {
        throw new SsoRefusedException(RefusalReason.MALFORMED, "not base64");
      }
      Element r = SafeXml.parse(xml, maxBytes).getDocumentElement();
      if (!Dom.is(r, Dom.PROTOCOL, "LogoutResponse")) {
        throw new SsoRefusedException(RefusalReason.MALFORMED, "not a LogoutResponse");
      }
      Element sig = Dom.optionalChild(r, Dom.DSIG, "Signature")
          .orElseThrow(() -> new SsoRefusedException(RefusalReason.UNSIGNED, "logout response is not signed"));
      org.w3c.dom.NodeList all = r.getElementsByTagNameNS(Dom.DSIG, "Signature");
      if (all.getLength() != 1) {
        throw new SsoRefusedException(RefusalReason.UNEXPECTED_SIGNATURE, "more than one signature");
      }
      checkLogoutResponse(dev.bulwark.sso.internal.SignatureCheck.verify(sig, r, idp.signingKeys()), sent);
      events.report(SsoEvent.Type.LOGOUT_SUCCEEDED, Optional.empty(), Optional.empty());
    } catch (SsoRefusedException e) {
      events.report(SsoEvent.Type.LOGOUT_REFUSED, Optional.empty(), Optional.of(e.reason()));
      throw e;
    }
  }

  private void checkLogoutResponse(Element r, SentRequest sent) throws SsoRefusedException {
    if (!Dom.is(r, Dom.PROTOCOL, "LogoutResponse")) {
      throw new SsoRefusedException(RefusalReason.MALFORMED, "not a LogoutResponse");
    }
    Optional<Element> issuer = Dom.optionalChild(r, Dom.ASSERTION, "Issuer");
    if (issuer.isEmpty() || !Dom.text(issuer.get()).equals(idp.entityId())) {
      throw new SsoRefusedException(RefusalReason.ISSUER_MISMATCH, "logout response from another issuer");
    }
    if (!sent.id().equals(r.getAttributeNS(null, "InResponseTo"))) {
      throw new SsoRefusedException(RefusalReason.REQUEST_MISMATCH, "logout response answers another request");
    }
    Optional<String> dest = Dom.attr(r, "Destination");
    if (dest.isPresent() && sloUrl.map(u -> !u.toString().equals(dest.get())).orElse(true)) {
      throw new SsoRefusedException(RefusalReason.DESTINATION_MISMATCH, "logout response for another endpoint");
    }
    Element code = Dom.child(Dom.child(r, Dom.PROTOCOL, "Status"), Dom.PROTOCOL, "StatusCode");
    if (!"urn:oasis:names:tc:SAML:2.0:status:Success".equals(code.getAttributeNS(null, "Value"))) {
      throw new SsoRefusedException(RefusalReason.STATUS_NOT_SUCCESS, "identity provider did not log out");
    }
  }

  /**
   * Handles an identity-provider-initiated {@code LogoutRequest} received with the HTTP-Redirect
   * binding. {@code rawQuery} is the query string exactly as received (not decoded): its signature
   * (SAML bindings §3.4.4.1) is checked over those bytes with the identity provider's pinned keys.
   *
   * <p>The request must name this service provider's {@link Builder#singleLogoutService} as its
   * {@code Destination}, come from the configured issuer, be issued within the last five minutes
   * (plus the clock skew), not be past its {@code NotOnOrAfter}, and carry an ID not seen before
   * (the replay cache). Only then is {@code terminator} called, once. The answer is a {@code
   * LogoutResponse} signed over the redirect query: {@code Success} when the terminator ended at
   * least one session, {@code Responder} when it ended none or threw.
   *
   * @throws SsoRefusedException when the request is refused; {@code terminator} was not called
   * @throws IllegalStateException when no signing key, single logout service or identity provider
   *     HTTP-Redirect logout endpoint is configured
   */
  public IdpLogout handleLogoutRequest(String rawQuery, SessionTerminator terminator) throws SsoRefusedException {
    Objects.requireNonNull(rawQuery, "rawQuery");
    Objects.requireNonNull(terminator, "terminator");
    URI answerTo = logoutPreconditions();
    try {
      byte[] xml = RedirectBinding.decodeSigned(rawQuery, "SAMLRequest", idp.signingKeys(), maxBytes);
      Element r = SafeXml.parse(xml, maxBytes).getDocumentElement();
      LogoutRequestCheck.shape(r);
      if (r.getElementsByTagNameNS(Dom.DSIG, "Signature").getLength() != 0) {
        throw new SsoRefusedException(RefusalReason.UNEXPECTED_SIGNATURE, "XML signature in a redirect message");
      }
      return endSessions(r, RedirectBinding.relayState(rawQuery), terminator, answerTo);
    } catch (SsoRefusedException e) {
      events.report(SsoEvent.Type.LOGOUT_REFUSED, Optional.empty(), Optional.of(e.reason()));
      throw e;
    } catch (RuntimeException e) {
      events.report(SsoEvent.Type.LOGOUT_REFUSED, Optional.empty(), Optional.of(RefusalReason.MALFORMED));
      throw new SsoRefusedException(RefusalReason.MALFORMED, "logout request could not be processed", e);
    }
  }

  /**
   * Handles an identity-provider-initiated {@code LogoutRequest} posted with the HTTP-POST binding
   * (the {@code SAMLRequest} form value). The message must carry exactly one enveloped XML signature,
   * a direct child of the {@code LogoutRequest}, referencing it by its ID, made with a key from the
   * identity provider's metadata ({@code KeyInfo} is ignored); everything is read from the element
   * that signature covered. The other checks and the answer are as for {@link
   * #handleLogoutRequest}; the answer goes to the identity provider's HTTP-Redirect logout endpoint.
   *
   * @param relayState the {@code RelayState} form value, or an empty string
   * @throws SsoRefusedException when the request is refused; {@code terminator} was not called
   */
  public IdpLogout handleLogoutRequestPost(String samlRequest, String relayState, SessionTerminator terminator)
      throws SsoRefusedException {
    Objects.requireNonNull(samlRequest, "samlRequest");
    Objects.requireNonNull(relayState, "relayState");
    Objects.requireNonNull(terminator, "terminator");
    URI answerTo = logoutPreconditions();
    try {
      if (samlRequest.length() > maxBytes * 2) {
        throw new SsoRefusedException(RefusalReason.TOO_LARGE, "message too large");
      }
      byte[] xml;
      try {
        xml = Base64.getDecoder().decode(samlRequest.replaceAll("[\\r\\n\\t ]", ""));
      } catch (IllegalArgumentException e) {
        throw new SsoRefusedException(RefusalReason.MALFORMED, "not base64");
      }
      Element r = SafeXml.parse(xml, maxBytes).getDocumentElement();
      LogoutRequestCheck.shape(r);
      org.w3c.dom.NodeList all = r.getElementsByTagNameNS(Dom.DSIG, "Signature");
      if (all.getLength() == 0) {
        throw new SsoRefusedException(RefusalReason.UNSIGNED, "logout request is not signed");
      }
      if (all.getLength() != 1) {
        throw new SsoRefusedException(RefusalReason.UNEXPECTED_SIGNATURE, "more than one signature");
      }
      Element sig = (Element) all.item(0);
      Element covered = dev.bulwark.sso.internal.SignatureCheck.verify(sig, r, idp.signingKeys());
      return endSessions(covered, relayState, terminator, answerTo);
    } catch (SsoRefusedException e) {
      events.report(SsoEvent.Type.LOGOUT_REFUSED, Optional.empty(), Optional.of(e.reason()));
      throw e;
    } catch (RuntimeException e) {
      events.report(SsoEvent.Type.LOGOUT_REFUSED, Optional.empty(), Optional.of(RefusalReason.MALFORMED));
      throw new SsoRefusedException(RefusalReason.MALFORMED, "logout request could not be processed", e);
    }
  }

  private URI logoutPreconditions() {
    if (signingKey.isEmpty()) {
      throw new IllegalStateException("answering logout requests needs a signing key");
    }
    if (sloUrl.isEmpty()) {
      throw new IllegalStateException("answering logout requests needs singleLogoutService");
    }
    return idp.singleLogoutRedirect()
        .orElseThrow(() -> new IllegalStateException("identity provider has no HTTP-Redirect logout endpoint"));
  }

  private IdpLogout endSessions(Element r, String relayState, SessionTerminator terminator, URI answerTo)
      throws SsoRefusedException {
    LogoutRequestCheck.Checked req = LogoutRequestCheck.check(
        r, idp.entityId(), sloUrl.map(URI::toString), clock.instant(), clockSkew, replayCache);
    int ended;
    try {
      ended = Math.max(0, terminator.endSessions(req.subject(), req.sessionIndexes()));
    } catch (RuntimeException e) {
      ended = -1;
    }
    boolean success = ended > 0;
    SentRequest answer = newRequest();
    String status = success ? "urn:oasis:names:tc:SAML:2.0:status:Success"
        : "urn:oasis:names:tc:SAML:2.0:status:Responder";
    String xml =
        "<samlp:LogoutResponse xmlns:samlp=\"" + Dom.PROTOCOL + "\" xmlns:saml=\"" + Dom.ASSERTION
            + "\" ID=\"" + answer.id() + "\" Version=\"2.0\" IssueInstant=\"" + answer.issuedAt()
            + "\" Destination=\"" + esc(answerTo.toString()) + "\" InResponseTo=\"" + esc(req.id())
            + "\"><saml:Issuer>" + esc(entityId) + "</saml:Issuer><samlp:Status><samlp:StatusCode Value=\""
            + status + "\"/></samlp:Status></samlp:LogoutResponse>";
    String query = RedirectBinding.encode("SAMLResponse", xml, relayState, signingKey.get());
    events.report(success ? SsoEvent.Type.LOGOUT_SUCCEEDED : SsoEvent.Type.LOGOUT_INCOMPLETE,
        Optional.of(req.subject()), Optional.empty());
    return new IdpLogout(append(answerTo, query), req.subject(), req.sessionIndexes(), Math.max(0, ended), success);
  }

  /** This service provider's metadata ({@code EntityDescriptor}) for the identity provider. */
  public String metadata() {
    StringBuilder sb = new StringBuilder();
    sb.append("<md:EntityDescriptor xmlns:md=\"").append(Dom.METADATA).append("\" xmlns:ds=\"")
        .append(Dom.DSIG).append("\" entityID=\"").append(esc(entityId)).append("\">")
        .append("<md:SPSSODescriptor AuthnRequestsSigned=\"").append(signRequests)
        .append("\" WantAssertionsSigned=\"true\" protocolSupportEnumeration=\"").append(Dom.PROTOCOL).append("\">");
    signingCertificate.ifPresent(c -> sb.append(keyDescriptor("signing", c)));
    encryptionCertificate.ifPresent(c -> sb.append(keyDescriptor("encryption", c)));
    sloUrl.ifPresent(u -> sb.append("<md:SingleLogoutService Binding=\"").append(IdpMetadata.REDIRECT)
        .append("\" Location=\"").append(esc(u.toString())).append("\"/>")
        .append("<md:SingleLogoutService Binding=\"").append(IdpMetadata.POST)
        .append("\" Location=\"").append(esc(u.toString())).append("\"/>"));
    sb.append("<md:AssertionConsumerService Binding=\"").append(IdpMetadata.POST)
        .append("\" Location=\"").append(esc(acs.toString())).append("\" index=\"0\" isDefault=\"true\"/>")
        .append("</md:SPSSODescriptor></md:EntityDescriptor>");
    return sb.toString();
  }

  public String entityId() {
    return entityId;
  }

  public IdpMetadata identityProvider() {
    return idp;
  }

  private static String keyDescriptor(String use, X509Certificate c) {
    try {
      return "<md:KeyDescriptor use=\"" + use + "\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>"
          + Base64.getEncoder().encodeToString(c.getEncoded())
          + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("certificate cannot be encoded", e);
    }
  }

  private String authnRequestXml(SentRequest sent, URI destination) {
    return "<samlp:AuthnRequest xmlns:samlp=\"" + Dom.PROTOCOL + "\" xmlns:saml=\"" + Dom.ASSERTION
        + "\" ID=\"" + sent.id() + "\" Version=\"2.0\" IssueInstant=\"" + sent.issuedAt()
        + "\" Destination=\"" + esc(destination.toString())
        + "\" AssertionConsumerServiceURL=\"" + esc(acs.toString())
        + "\" ProtocolBinding=\"" + IdpMetadata.POST + "\"><saml:Issuer>" + esc(entityId)
        + "</saml:Issuer><samlp:NameIDPolicy AllowCreate=\"true\"/></samlp:AuthnRequest>";
  }

  private SentRequest newRequest() {
    byte[] b = new byte[20];
    RANDOM.nextBytes(b);
    return new SentRequest("_" + HexFormat.of().formatHex(b), clock.instant().truncatedTo(ChronoUnit.SECONDS));
  }

  private static URI append(URI base, String query) {
    String s = base.toString();
    return URI.create(s + (s.contains("?") ? "&" : "?") + query);
  }

  static String esc(String s) {
    return SamlPostForm.escape(s);
  }


  /** Settings for a {@link SamlServiceProvider}; {@link #build()} checks them together. */
  public static final class Builder {
    private final String entityId;
    private final URI acs;
    private final IdpMetadata idp;
    private URI sloUrl;
    private PrivateKey signingKey;
    private X509Certificate signingCertificate;
    private PrivateKey decryptionKey;
    private X509Certificate encryptionCertificate;
    private boolean signRequests;
    private boolean allowSignedResponseOnly;
    private Duration clockSkew = Duration.ofMinutes(2);
    private int maxBytes = 256 * 1024;
    private Clock clock = Clock.systemUTC();
    private ReplayCache replayCache;
    private AssuranceMapping assurance = AssuranceMapping.DEFAULT;
    private SsoEventListener listener = SsoEventListener.NONE;

    private Builder(String entityId, URI acs, IdpMetadata idp) {
      this.entityId = Objects.requireNonNull(entityId, "entityId");
      this.acs = Objects.requireNonNull(acs, "assertionConsumerService");
      this.idp = Objects.requireNonNull(idp, "idp");
      if (entityId.isEmpty() || !acs.isAbsolute()) {
        throw new IllegalArgumentException("entity ID must not be empty and the ACS URL must be absolute");
      }
    }

    /**
     * This service provider's logout endpoint: where the identity provider sends logout responses
     * and its own logout requests (their {@code Destination} must equal it exactly).
     */
    public Builder singleLogoutService(URI url) {
      this.sloUrl = Objects.requireNonNull(url, "url");
      return this;
    }

    /** The RSA key (and its certificate, for metadata) that signs requests. */
    public Builder signingKey(PrivateKey key, X509Certificate certificate) {
      if (!"RSA".equals(key.getAlgorithm())) {
        throw new IllegalArgumentException("request signing supports RSA keys");
      }
      this.signingKey = key;
      this.signingCertificate = Objects.requireNonNull(certificate, "certificate");
      return this;
    }

    /** Sign requests even when the identity provider's metadata does not ask for it. */
    public Builder signRequests() {
      this.signRequests = true;
      return this;
    }

    /**
     * The RSA key that decrypts encrypted assertions (RSA-OAEP + AES-GCM only), without publishing
     * an encryption certificate in {@link #metadata()}.
     */
    public Builder decryptionKey(PrivateKey key) {
      this.decryptionKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /** The RSA key that decrypts encrypted assertions, and its certificate for {@link #metadata()}. */
    public Builder decryptionKey(PrivateKey key, X509Certificate certificate) {
      this.decryptionKey = Objects.requireNonNull(key, "key");
      this.encryptionCertificate = Objects.requireNonNull(certificate, "certificate");
      return this;
    }

    /**
     * Accept an unsigned assertion when the response carrying it is signed (the signature then
     * covers the assertion). Off by default: prefer identity providers that sign assertions.
     */
    public Builder allowSignedResponseOnly() {
      this.allowSignedResponseOnly = true;
      return this;
    }

    /** Allowed clock difference with the identity provider; at most 5 minutes (default 2). */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = ClockSkew.check(skew);
      return this;
    }

    /** Largest message accepted, checked before parsing (default 256 KiB). */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException("message limit must be between 1 KiB and 16 MiB");
      }
      this.maxBytes = bytes;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where used assertion IDs and logout request IDs are remembered (default: in memory, this
     * process only).
     */
    public Builder replayCache(ReplayCache cache) {
      this.replayCache = Objects.requireNonNull(cache, "cache");
      return this;
    }

    public Builder assuranceMapping(AssuranceMapping mapping) {
      this.assurance = Objects.requireNonNull(mapping, "mapping");
      return this;
    }

    public Builder listener(SsoEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * @throws IllegalStateException when the identity provider wants signed requests and no
     *     signing key is configured
     */
    public SamlServiceProvider build() {
      if ((signRequests || idp.wantAuthnRequestsSigned()) && signingKey == null) {
        throw new IllegalStateException("the identity provider wants signed requests: configure signingKey");
      }
      if (replayCache == null) {
        replayCache = new InMemoryReplayCache(clock, 1_000_000);
      }
      return new SamlServiceProvider(this);
    }
  }

}
