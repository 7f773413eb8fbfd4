package dev.bulwark.spring.sso;

import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.spring.security.BulwarkAuthentication;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * The default {@link SsoSessionBinder}: saves the authentication with the filter chain's {@link
 * SecurityContextRepository} after changing the HTTP session's id (session fixation), and clears
 * it at logout. The new Bulwark session's token is not kept: the authentication names the session
 * by its public id, which is enough for step-up checks and revocation.
 */
final class SecurityContextSessionBinder implements SsoSessionBinder {

  private final Supplier<SecurityContextRepository> repository;
  private final SecurityContextHolderStrategy strategy;

  SecurityContextSessionBinder(Supplier<SecurityContextRepository> repository) {
    this.repository = Objects.requireNonNull(repository, "repository");
    this.strategy = SecurityContextHolder.getContextHolderStrategy();
  }

  @Override
  public void signIn(BulwarkAuthentication authentication, IssuedSession issued, HttpServletRequest request,
      HttpServletResponse response) {
    if (request.getSession(false) != null) {
      request.changeSessionId();
    }
    SecurityContext context = strategy.createEmptyContext();
    context.setAuthentication(authentication);
    strategy.setContext(context);
    repository.get().saveContext(context, request, response);
  }

  @Override
  public Optional<Authentication> current(HttpServletRequest request, HttpServletResponse response) {
    Authentication a = strategy.getContext().getAuthentication();
    return Optional.ofNullable(a);
  }

  @Override
  public void signOut(HttpServletRequest request, HttpServletResponse response) {
    SecurityContext empty = strategy.createEmptyContext();
    strategy.clearContext();
    repository.get().saveContext(empty, request, response);
    jakarta.servlet.http.HttpSession session = request.getSession(false);
    if (session != null) {
      session.invalidate();
    }
  }
}
