package dev.bulwark.sso.oidc;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.bulwark.sso.internal.BoundedSender;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The endpoints of an OpenID provider, from its discovery document. The document's {@code issuer}
 * must equal the issuer it was fetched for (OpenID Connect Discovery §4.3), so a provider cannot
 * speak for another.
 */
public final class ProviderMetadata {
  private final URI issuer;
  private final URI authorization;
  private final URI token;
  private final URI jwks;
  private final Optional<URI> userInfo;
  private final Optional<URI> endSession;

  public ProviderMetadata(
      URI issuer, URI authorization, URI token, URI jwks, Optional<URI> userInfo, Optional<URI> endSession) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.authorization = Objects.requireNonNull(authorization, "authorization");
    this.token = Objects.requireNonNull(token, "token");
    this.jwks = Objects.requireNonNull(jwks, "jwks");
    this.userInfo = Objects.requireNonNull(userInfo, "userInfo");
    this.endSession = Objects.requireNonNull(endSession, "endSession");
  }

  /**
   * Fetches {@code issuer/.well-known/openid-configuration}.
   *
   * @throws IOException when the provider cannot be reached or its document is unusable
   */
  public static ProviderMetadata discover(URI issuer, Duration timeout) throws IOException {
    String base = issuer.toString().replaceAll("/+$", "");
    HTTPRequest req = new HTTPRequest(HTTPRequest.Method.GET, URI.create(base + "/.well-known/openid-configuration"));
    req.setConnectTimeout((int) timeout.toMillis());
    req.setReadTimeout((int) timeout.toMillis());
    HTTPResponse resp = req.send(BoundedSender.INSTANCE);
    if (resp.getStatusCode() != 200) {
      throw new IOException("discovery answered HTTP " + resp.getStatusCode());
    }
    OIDCProviderMetadata md;
    try {
      md = OIDCProviderMetadata.parse(resp.getBody());
    } catch (ParseException e) {
      throw new IOException("discovery document is not valid", e);
    }
    if (!md.getIssuer().getValue().equals(issuer.toString())) {
      throw new IOException("discovery document names another issuer");
    }
    if (md.getTokenEndpointURI() == null || md.getJWKSetURI() == null || md.getAuthorizationEndpointURI() == null) {
      throw new IOException("discovery document lacks an endpoint");
    }
    return new ProviderMetadata(
        issuer,
        md.getAuthorizationEndpointURI(),
        md.getTokenEndpointURI(),
        md.getJWKSetURI(),
        Optional.ofNullable(md.getUserInfoEndpointURI()),
        Optional.ofNullable(md.getEndSessionEndpointURI()));
  }

  public URI issuer() {
    return issuer;
  }

  public URI authorizationEndpoint() {
    return authorization;
  }

  public URI tokenEndpoint() {
    return token;
  }

  public URI jwksUri() {
    return jwks;
  }

  public Optional<URI> userInfoEndpoint() {
    return userInfo;
  }

  public Optional<URI> endSessionEndpoint() {
    return endSession;
  }
}
