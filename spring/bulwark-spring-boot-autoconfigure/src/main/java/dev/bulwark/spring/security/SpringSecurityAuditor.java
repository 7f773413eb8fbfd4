package dev.bulwark.spring.security;

import dev.bulwark.audit.AuditEvents;
import dev.bulwark.audit.AuditLog;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.authorization.event.AuthorizationDeniedEvent;
import org.springframework.security.core.Authentication;

/**
 * Writes Spring Security's authentication and authorization events to Bulwark's audit log, each
 * exactly once: a login through {@link BulwarkAuthenticationProvider} is already audited by
 * Bulwark's login flow, and a refusal by {@link StepUpAuthorizationManager} by Bulwark's step-up
 * check, so Spring's events for those are skipped. Other mechanisms (HTTP Basic against another
 * provider, OAuth 2.0 login, ...) are recorded as {@code authn_login_success} /
 * {@code authn_login_fail}, and every other denied access as {@code authz_fail}. A failed login
 * records no subject: the name typed may not be an account, and an attempt for an unknown account
 * must not be told apart from a wrong password.
 */
public final class SpringSecurityAuditor {

  private final AuditLog log;
  private final Clock clock;

  public SpringSecurityAuditor(AuditLog log, Clock clock) {
    this.log = Objects.requireNonNull(log, "log");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  private static Optional<String> source(Authentication a) {
    Object details = a == null ? null : a.getDetails();
    if (details instanceof SecondFactorDetails d) {
      return Optional.ofNullable(d.source());
    }
    if (details != null && WebDetails.PRESENT && WebDetails.is(details)) {
      return Optional.ofNullable(WebDetails.remoteAddress(details));
    }
    return Optional.empty();
  }

  private static String snake(Class<?> type) {
    return type.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  @EventListener
  public void onSuccess(AuthenticationSuccessEvent event) {
    Authentication a = event.getAuthentication();
    if (a instanceof BulwarkAuthentication) {
      return;
    }
    log.append(AuditEvents.toAuditEvent("authn_login_success", Optional.of(a.getName()), clock.instant(), source(a),
        Map.of("mechanism", snake(a.getClass()))));
  }

  @EventListener
  public void onFailure(AbstractAuthenticationFailureEvent event) {
    if (event.getException() instanceof BulwarkAuthenticationException) {
      return;
    }
    Map<String, String> details = new TreeMap<>();
    details.put("reason", snake(event.getException().getClass()));
    details.put("mechanism", snake(event.getAuthentication().getClass()));
    log.append(AuditEvents.toAuditEvent("authn_login_fail", Optional.empty(), clock.instant(),
        source(event.getAuthentication()), details));
  }

  @EventListener
  public void onDenied(AuthorizationDeniedEvent<?> event) {
    if (event.getAuthorizationResult() instanceof StepUpRequiredDecision d && d.reason() != null) {
      return;
    }
    Authentication a = event.getAuthentication().get();
    Optional<String> subject = a == null || a instanceof AnonymousAuthenticationToken || !a.isAuthenticated()
        ? Optional.empty() : Optional.of(a.getName());
    Object target = event.getSource();
    log.append(AuditEvents.toAuditEvent("authz_fail", subject, clock.instant(), source(a),
        Map.of("reason", "access_denied", "object", target == null ? "unknown" : snake(target.getClass()))));
  }

  /** Spring Security Web's details, read only when that module is on the class path. */
  private static final class WebDetails {
    static final boolean PRESENT = org.springframework.util.ClassUtils.isPresent(
        "org.springframework.security.web.authentication.WebAuthenticationDetails", WebDetails.class.getClassLoader());

    static boolean is(Object details) {
      return details instanceof org.springframework.security.web.authentication.WebAuthenticationDetails;
    }

    static String remoteAddress(Object details) {
      return ((org.springframework.security.web.authentication.WebAuthenticationDetails) details).getRemoteAddress();
    }
  }
}
