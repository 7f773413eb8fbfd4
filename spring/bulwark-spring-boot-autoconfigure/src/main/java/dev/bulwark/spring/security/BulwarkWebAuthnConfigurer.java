package dev.bulwark.spring.security;

import java.util.Objects;
import org.springframework.context.ApplicationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.web.csrf.CsrfFilter;

/**
 * Adds Bulwark's WebAuthn endpoints ({@link BulwarkWebAuthnEndpoints}) to a
 * {@code SecurityFilterChain}, right after the {@code CsrfFilter}, so they see the request's
 * Bulwark session and the host's CSRF protection applies to them:
 *
 * <pre>{@code
 * import org.springframework.security.config.Customizer;
 *
 * // Given: HttpSecurity http
 * http.with(BulwarkWebAuthnConfigurer.webAuthn(), Customizer.withDefaults());
 * }</pre>
 *
 * <p>Without an explicit {@link #endpoints(BulwarkWebAuthnEndpoints)} the auto-configured
 * {@link BulwarkWebAuthnEndpoints} bean is used (set {@code bulwark.authn.webauthn.rp-id},
 * {@code rp-name} and {@code origins}). Use it together with {@link BulwarkSecurityContextRepository}
 * as the chain's security context repository: the endpoints sign users in through it.
 */
public final class BulwarkWebAuthnConfigurer extends AbstractHttpConfigurer<BulwarkWebAuthnConfigurer, HttpSecurity> {

  private BulwarkWebAuthnEndpoints endpoints;

  /** A configurer that takes the endpoints from the application context. */
  public static BulwarkWebAuthnConfigurer webAuthn() {
    return new BulwarkWebAuthnConfigurer();
  }

  /** Uses {@code endpoints} instead of the application context's bean. */
  public BulwarkWebAuthnConfigurer endpoints(BulwarkWebAuthnEndpoints endpoints) {
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    return this;
  }

  @Override
  public void configure(HttpSecurity http) {
    BulwarkWebAuthnEndpoints e = endpoints;
    if (e == null) {
      ApplicationContext context = http.getSharedObject(ApplicationContext.class);
      if (context == null) {
        throw new IllegalStateException("no BulwarkWebAuthnEndpoints: pass one to endpoints(...)");
      }
      e = context.getBean(BulwarkWebAuthnEndpoints.class);
    }
    http.addFilterAfter(postProcess(e.filter(getSecurityContextHolderStrategy())), CsrfFilter.class);
  }
}
