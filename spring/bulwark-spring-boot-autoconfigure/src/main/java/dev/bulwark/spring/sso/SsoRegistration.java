package dev.bulwark.spring.sso;

import dev.bulwark.sso.Protocol;
import dev.bulwark.sso.oidc.OidcRelyingParty;
import dev.bulwark.sso.oidc.ProviderMetadata;
import dev.bulwark.sso.saml.SamlServiceProvider;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One identity provider a user can sign in with: its id (the {@code <id>} of {@code
 * bulwark.sso.saml.<id>} or {@code bulwark.sso.oidc.<id>}), the protocol, and the label a login
 * page shows on its button ("Sign in with SSO (SAML)"). Its endpoints are under {@code
 * /sso/<id>/}: {@link #loginPath()} starts a sign-in.
 *
 * <p>The protocol objects are obtained from suppliers when first needed, so an identity provider
 * that is down at start-up does not stop the application; a supplier that throws refuses that
 * sign-in ({@code PROVIDER_UNAVAILABLE}).
 */
public final class SsoRegistration {

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

  private final String id;
  private final Protocol protocol;
  private final String label;
  private final Supplier<SamlServiceProvider> saml;
  private final Supplier<OidcRelyingParty> oidc;
  private final Supplier<ProviderMetadata> provider;

  private SsoRegistration(String id, Protocol protocol, String label, Supplier<SamlServiceProvider> saml,
      Supplier<OidcRelyingParty> oidc, Supplier<ProviderMetadata> provider) {
    this.id = checkId(id);
    this.protocol = protocol;
    this.label = Objects.requireNonNull(label, "label");
    this.saml = saml;
    this.oidc = oidc;
    this.provider = provider;
  }

  /** Checks a registration id: 1-32 characters of {@code [a-z0-9-]}, starting with a letter or digit. */
  public static String checkId(String id) {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a registration id is 1-32 characters of [a-z0-9-], starting with a letter or digit");
    }
    return id;
  }

  /** A SAML 2.0 identity provider; {@code sp} is called at each use and should cache. */
  public static SsoRegistration saml(String id, String label, Supplier<SamlServiceProvider> sp) {
    return new SsoRegistration(id, Protocol.SAML2, label, Objects.requireNonNull(sp, "sp"), null, null);
  }

  /**
   * An OpenID provider; {@code rp} and {@code provider} (its discovery document, for the logout
   * endpoint) are called at each use and should cache.
   */
  public static SsoRegistration oidc(String id, String label, Supplier<OidcRelyingParty> rp,
      Supplier<ProviderMetadata> provider) {
    return new SsoRegistration(id, Protocol.OIDC, label, null, Objects.requireNonNull(rp, "rp"),
        Objects.requireNonNull(provider, "provider"));
  }

  public String id() {
    return id;
  }

  public Protocol protocol() {
    return protocol;
  }

  public String label() {
    return label;
  }

  /** Where a "Sign in with ..." link points (relative to the context path); {@code ?target=/path} returns there. */
  public String loginPath() {
    return "/sso/" + id + "/login";
  }

  SamlServiceProvider samlProvider() {
    return saml.get();
  }

  OidcRelyingParty relyingParty() {
    return oidc.get();
  }

  ProviderMetadata providerMetadata() {
    return provider.get();
  }

  @Override
  public String toString() {
    return "SsoRegistration[" + id + ", " + protocol + "]";
  }
}
