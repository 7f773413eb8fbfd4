package dev.bulwark.spring.autoconfigure;

import dev.bulwark.sso.SsoAssuranceLevel;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bulwark.sso.*}: "Sign in with SSO" through SAML 2.0 identity providers and OpenID
 * providers. Key material is given inline (PEM, or Base64 of the DER) or as a location ({@code
 * file:...}, {@code classpath:...}); it is never logged or printed in an error.
 *
 * @param baseUrl the application's external URL (scheme, host, port, context path) under which
 *     the {@code /sso/<id>/...} endpoints are published; required
 * @param cookieKey Base64 of 32 random bytes sealing (AES-256-GCM) the short-lived sign-in state
 *     cookie and the SSO login cookie; required outside a development profile, the same on every node
 * @param stateTtl how long a started sign-in may take at the identity provider
 * @param successUrl where a sign-in without {@code ?target=} lands (a local path)
 * @param logoutSuccessUrl where a logout lands (a local path)
 * @param failureUrl where a refused sign-in is redirected (a local path); unset: a generic page
 * @param store where used SAML assertion IDs are remembered: AUTO (the DataSource if there is
 *     one, otherwise memory), MEMORY or JDBC
 * @param saml SAML 2.0 identity providers by registration id ({@code [a-z0-9-]}, at most 32)
 * @param oidc OpenID providers by registration id
 */
@ConfigurationProperties(prefix = "bulwark.sso", ignoreUnknownFields = false)
public record BulwarkSsoProperties(
    URI baseUrl,
    String cookieKey,
    @DefaultValue("10m") Duration stateTtl,
    @DefaultValue("/") String successUrl,
    @DefaultValue("/") String logoutSuccessUrl,
    String failureUrl,
    @DefaultValue("auto") StoreKind store,
    Map<String, Saml> saml,
    Map<String, Oidc> oidc) {

  /**
   * One SAML 2.0 identity provider.
   *
   * @param label the text of its button on a login page
   * @param idpMetadata the identity provider's metadata: a location ({@code file:}, {@code
   *     classpath:}, {@code https:}) or the XML itself; it must name a signing key
   * @param entityId this service provider's entity ID; default the metadata URL {@code
   *     <base-url>/sso/<id>/metadata}
   * @param signingKey the RSA private key (PKCS#8) that signs AuthnRequests and LogoutRequests
   * @param signingCertificate its X.509 certificate, published in this service provider's metadata
   * @param decryptionKey the RSA private key (PKCS#8) that decrypts encrypted assertions
   * @param decryptionCertificate its certificate, published in the metadata
   * @param signRequests sign requests even when the IdP's metadata does not ask for it
   * @param allowSignedResponseOnly accept an unsigned assertion inside a signed response
   * @param clockSkew allowed clock difference with the identity provider (at most 5m)
   * @param assurance {@code AuthnContextClassRef} values and the level each proves, e.g. {@code
   *     assurance[https://refeds.org/profile/mfa]=AAL2}; other values follow Bulwark's conservative
   *     default mapping
   */
  public record Saml(
      String label,
      String idpMetadata,
      String entityId,
      String signingKey,
      String signingCertificate,
      String decryptionKey,
      String decryptionCertificate,
      @DefaultValue("false") boolean signRequests,
      @DefaultValue("false") boolean allowSignedResponseOnly,
      @DefaultValue("2m") Duration clockSkew,
      Map<String, SsoAssuranceLevel> assurance) {

    @Override
    public String toString() {
      return "Saml[label=" + label + ", idpMetadata=" + (idpMetadata == null ? "unset"
          : idpMetadata.strip().startsWith("<") ? "(inline)" : idpMetadata) + ", entityId=" + entityId
          + ", signingKey=" + (signingKey == null ? "unset" : "(redacted)") + ", decryptionKey="
          + (decryptionKey == null ? "unset" : "(redacted)") + ", signRequests=" + signRequests
          + ", allowSignedResponseOnly=" + allowSignedResponseOnly + ", clockSkew=" + clockSkew + "]";
    }
  }

  /**
   * One OpenID provider (authorization-code flow with PKCE S256, {@code state} and {@code nonce}).
   *
   * @param label the text of its button on a login page
   * @param issuer the issuer URL; {@code <issuer>/.well-known/openid-configuration} is read at the
   *     first sign-in
   * @param clientId the client id registered at the provider
   * @param clientSecret the client secret ({@code client_secret_basic}); or {@code private-key}
   * @param privateKey an RSA or EC P-256 private key (PKCS#8) for {@code private_key_jwt}
   * @param keyId the {@code kid} of {@code private-key} at the provider, if it wants one
   * @param scopes the scopes requested; must include {@code openid}
   * @param fetchUserInfo also read the userinfo endpoint (its subject must match)
   * @param clockSkew allowed clock difference with the provider (at most 5m)
   * @param httpTimeout timeout of each call to the provider
   * @param assurance {@code acr} values and the level each proves; other values (and {@code amr})
   *     follow Bulwark's conservative default mapping
   */
  public record Oidc(
      String label,
      URI issuer,
      String clientId,
      String clientSecret,
      String privateKey,
      String keyId,
      @DefaultValue({"openid", "profile", "email"}) List<String> scopes,
      @DefaultValue("true") boolean fetchUserInfo,
      @DefaultValue("1m") Duration clockSkew,
      @DefaultValue("10s") Duration httpTimeout,
      Map<String, SsoAssuranceLevel> assurance) {

    @Override
    public String toString() {
      return "Oidc[label=" + label + ", issuer=" + issuer + ", clientId=" + clientId + ", clientSecret="
          + (clientSecret == null ? "unset" : "(redacted)") + ", privateKey=" + (privateKey == null ? "unset"
          : "(redacted)") + ", scopes=" + scopes + ", fetchUserInfo=" + fetchUserInfo + "]";
    }
  }

  @Override
  public String toString() {
    return "BulwarkSsoProperties[baseUrl=" + baseUrl + ", cookieKey=" + (cookieKey == null ? "unset" : "(redacted)")
        + ", stateTtl=" + stateTtl + ", saml=" + saml + ", oidc=" + oidc + "]";
  }
}
