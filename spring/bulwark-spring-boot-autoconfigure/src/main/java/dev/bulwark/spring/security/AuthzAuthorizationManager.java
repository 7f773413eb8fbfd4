package dev.bulwark.spring.security;

import dev.bulwark.authz.AccessControl;
import dev.bulwark.authz.AccessDecision;
import dev.bulwark.authz.Principal;
import dev.bulwark.authz.Resource;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;

/**
 * Bulwark authz as an {@link AuthorizationManager}: the authenticated user (by name) must be
 * allowed {@code action} on the resource derived from the secured object, by the current policy of
 * an {@link AccessControl}. Default deny: anonymous callers, a resource that cannot be derived and
 * every authz refusal are denied. Also usable from {@code @PreAuthorize} through
 * {@link #allows(Authentication, String, String, String, String)} on a bean, e.g.
 * {@code @PreAuthorize("@bulwarkAuthz.allows(authentication, 'note.read', #tenant, 'note', #id)")}.
 * Thread-safe.
 */
public final class AuthzAuthorizationManager<T> implements AuthorizationManager<T> {

  private final AccessControl access;
  private final String action;
  private final Function<T, Resource> resource;

  public AuthzAuthorizationManager(AccessControl access, String action, Function<T, Resource> resource) {
    this.access = Objects.requireNonNull(access, "access");
    this.action = Objects.requireNonNull(action, "action");
    this.resource = Objects.requireNonNull(resource, "resource");
  }

  /** A manager that only answers {@link #allows} calls (for {@code @PreAuthorize}). */
  public static AuthzAuthorizationManager<Object> expressions(AccessControl access) {
    return new AuthzAuthorizationManager<>(access, "none", o -> null);
  }

  /** The decision for {@code authentication} (null for anonymous: denied with no reason). */
  public AccessDecision decide(Authentication authentication, String action, Resource resource) {
    if (authentication == null || !authentication.isAuthenticated()
        || authentication instanceof AnonymousAuthenticationToken || resource == null) {
      return null;
    }
    return access.authorizer().check(Principal.user(authentication.getName()), action, resource);
  }

  /** For {@code @PreAuthorize}: true only if authz allows it. */
  public boolean allows(Authentication authentication, String action, String tenant, String type, String id) {
    if (tenant == null || type == null || id == null) {
      return false;
    }
    AccessDecision d = decide(authentication, action, Resource.of(tenant, type, id));
    return d != null && d.allowed();
  }

  @Override
  public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, T object) {
    Resource r;
    try {
      r = resource.apply(object);
    } catch (RuntimeException e) {
      return new AuthorizationDecision(false);
    }
    AccessDecision d = decide(authentication.get(), action, r);
    return new AuthorizationDecision(d != null && d.allowed());
  }
}
