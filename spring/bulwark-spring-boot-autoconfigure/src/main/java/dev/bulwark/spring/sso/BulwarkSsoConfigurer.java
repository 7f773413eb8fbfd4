package dev.bulwark.spring.sso;

import org.springframework.context.ApplicationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.util.ClassUtils;

/**
 * Adds the single sign-on endpoints ({@link SsoEndpoints}) to a Spring Security filter chain.
 * Registered as a default configurer of every {@code HttpSecurity} (in {@code
 * META-INF/spring.factories}), so an application gets them from {@code bulwark.sso.*} properties
 * alone; it does nothing without bulwark-sso and bulwark-authn on the class path or without an
 * {@link SsoEndpoints} bean (no SSO configured). An application may also apply it explicitly with
 * {@code http.with(new BulwarkSsoConfigurer(), c -> {})}; it is added once per chain.
 */
public final class BulwarkSsoConfigurer extends AbstractHttpConfigurer<BulwarkSsoConfigurer, HttpSecurity> {

  @Override
  public void configure(HttpSecurity http) {
    ApplicationContext context = http.getSharedObject(ApplicationContext.class);
    if (context == null) {
      return;
    }
    ClassLoader cl = context.getClassLoader();
    if (!ClassUtils.isPresent("dev.bulwark.sso.saml.SamlServiceProvider", cl)
        || !ClassUtils.isPresent("dev.bulwark.authn.session.Sessions", cl)) {
      return;
    }
    SsoChainWiring.apply(http, context);
  }
}
