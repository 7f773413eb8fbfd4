package dev.bulwark.spring.sso;

import java.util.function.Supplier;
import org.springframework.context.ApplicationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.authentication.logout.LogoutFilter;
import org.springframework.security.web.context.DelegatingSecurityContextRepository;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfFilter;

/** The part of {@link BulwarkSsoConfigurer} that touches bulwark-sso and bulwark-authn types. */
final class SsoChainWiring {

  private SsoChainWiring() {}

  static void apply(HttpSecurity http, ApplicationContext context) {
    if (http.getSharedObject(Applied.class) != null) {
      return;
    }
    SsoEndpoints endpoints = context.getBeanProvider(SsoEndpoints.class).getIfUnique();
    if (endpoints == null) {
      return;
    }
    http.setSharedObject(Applied.class, new Applied());
    // Read at the first request: the application's securityContext() configuration is final by then.
    Supplier<SecurityContextRepository> repository = () -> {
      SecurityContextRepository r = http.getSharedObject(SecurityContextRepository.class);
      return r != null ? r : new DelegatingSecurityContextRepository(
          new RequestAttributeSecurityContextRepository(), new HttpSessionSecurityContextRepository());
    };
    SsoSessionBinder binder = context.getBeanProvider(SsoSessionBinder.class)
        .getIfUnique(() -> new SecurityContextSessionBinder(repository));
    http.addFilterBefore(new SsoFilter(SsoFilter.Phase.SIGN_IN, endpoints, binder), CsrfFilter.class);
    http.addFilterBefore(new SsoFilter(SsoFilter.Phase.LOGOUT, endpoints, binder), LogoutFilter.class);
  }

  /** Marks a chain the endpoints were added to. */
  private static final class Applied {}
}
