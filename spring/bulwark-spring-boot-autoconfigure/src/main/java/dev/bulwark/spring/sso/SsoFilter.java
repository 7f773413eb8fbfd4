package dev.bulwark.spring.sso;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Serves {@link SsoEndpoints} inside a Spring Security filter chain: the sign-in endpoints before
 * the CSRF check (their answers are authenticated by the identity provider's signature and the
 * sealed state cookie), the logout endpoint after it (a forged cross-site logout is refused like
 * any other POST without the CSRF token). Every other request passes through.
 */
final class SsoFilter extends OncePerRequestFilter {

  enum Phase { SIGN_IN, LOGOUT }

  private final Phase phase;
  private final SsoEndpoints endpoints;
  private final SsoSessionBinder binder;

  SsoFilter(Phase phase, SsoEndpoints endpoints, SsoSessionBinder binder) {
    this.phase = Objects.requireNonNull(phase, "phase");
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    this.binder = Objects.requireNonNull(binder, "binder");
  }

  /** Each phase is its own filter: the second must not take the first's mark for its own. */
  @Override
  protected String getAlreadyFilteredAttributeName() {
    return SsoFilter.class.getName() + "." + phase + ".FILTERED";
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    boolean handled = phase == Phase.SIGN_IN
        ? endpoints.handleFlow(request, response, binder)
        : endpoints.handleLogout(request, response, binder);
    if (!handled) {
      chain.doFilter(request, response);
    }
  }
}
